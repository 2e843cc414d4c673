"""Journey 6, the run report: a finished tiny job's report, opened from disk in Chromium with
every network request blocked, draws its plotly charts and asks for nothing it cannot have."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.backends import create_backend
from services.report import report_html

pytestmark = pytest.mark.browser


def test_the_report_opens_offline_with_its_charts_drawn(page, finished_job, tmp_path):
    report = tmp_path / "report.html"
    report.write_text(report_html(create_backend("local"), finished_job), encoding="utf-8")

    blocked: list[str] = []
    failed: list[str] = []

    def only_files(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(report.as_uri())

    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Parameters")).to_be_visible()
    assert blocked == [] and failed == []
