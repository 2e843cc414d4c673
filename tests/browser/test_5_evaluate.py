"""Journey 5, Evaluate: a finished tiny job, evaluated from the page; the verdict, the
scorecard and the per-example table appear, and a row opens to both replies side by side.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import click, fill_number, open_app, screenshot, widget
from tests.support.tiny_job import train_tiny_job

pytestmark = pytest.mark.browser

EVALUATION_TIMEOUT_MS = 5 * 60_000  # a worker process loads torch and both models


@pytest.fixture
def tiny_finished_job(app_server, browser_home, tmp_path) -> str:
    """A tiny job trained to the end in the app's own STUDIO_HOME."""
    return train_tiny_job(browser_home, tmp_path, display_name="tiny-evaluate")


@pytest.mark.timeout(900)
def test_evaluate_a_finished_job_and_read_the_verdict(page, app_server, tiny_finished_job):
    open_app(page, app_server.url, f"evaluate?job={tiny_finished_job}", title="Evaluate")
    expect(widget(page, "evaluate_job").get_by_role("combobox")).to_have_value(
        re.compile("tiny-evaluate")
    )
    fill_number(page, "evaluate_rows", 3)
    fill_number(page, "evaluate_tokens", 8)
    click(page, "evaluate_start")

    verdict = page.get_by_test_id("stAlert").filter(
        has_text=re.compile(r"Tuned (beats base|did not improve on base)")
    )
    expect(verdict).to_be_visible(timeout=EVALUATION_TIMEOUT_MS)
    expect(verdict).to_contain_text("perplexity")
    expect(page.get_by_test_id("stMetric").filter(has_text="Perplexity (tuned)")).to_be_visible()
    expect(page.get_by_text("Per example, largest change first")).to_be_visible()
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(3)  # scorecard, per example, past evaluations
    assert "evaluation=eval-" in page.url

    examples = page.get_by_test_id("stExpander")
    expect(examples).to_have_count(3)
    examples.first.get_by_text(re.compile(r"^Row \d+")).click()
    expect(examples.first.get_by_text("Reference")).to_be_visible()
    expect(examples.first.get_by_text(re.compile(r"^Tuned · ROUGE-L"))).to_be_visible()
    expect(examples.first.get_by_text(re.compile(r"^Base · ROUGE-L"))).to_be_visible()
    screenshot(page, "evaluate", centre=verdict)

    page.reload()  # the evaluation in the URL is found again from disk
    expect(verdict).to_be_visible()
