"""Journey 1, Dataset: demo data as chat, a new sample, an upload with bad rows listed by line."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import click, go_to, open_app, pick_radio, screenshot, widget

pytestmark = pytest.mark.browser


LINE = re.compile(r"^Line \d+$")


def line_captions(page):
    """The "Line N" captions above the sampled conversations."""
    return page.get_by_test_id("stCaptionContainer").filter(has_text=LINE)


def sample_lines(page) -> list[str]:
    return [text.strip() for text in line_captions(page).all_inner_texts()]


def bad_file(tmp_path):
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hi!"}]
    good = {"messages": chat}
    lines = [
        json.dumps(good),
        "{not json",  # line 2
        json.dumps(good),
        json.dumps({"messages": []}),  # line 4: no messages
        json.dumps(good),
        json.dumps({"messages": [{"role": "user", "content": "only a question"}]}),  # line 6
    ]
    path = tmp_path / "with_bad_rows.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_dataset_journey(page, app_server, tmp_path):
    open_app(page, app_server.url)
    go_to(page, "Dataset")

    # Demo data is the default source: sampled conversations as chat messages.
    expect(page.get_by_test_id("stChatMessage").first).to_be_visible()
    expect(line_captions(page)).to_have_count(3)
    expect(page.get_by_test_id("stMetric").filter(has_text="Rows")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    first = sample_lines(page)
    screenshot(page, "dataset")

    click(page, "dataset_new_sample")
    expect(line_captions(page).first).not_to_have_text(first[0])
    assert sample_lines(page) != first

    # An upload with three bad rows: each one listed with its line number.
    pick_radio(page, "dataset_source", "Upload")
    widget(page, "dataset_upload").locator("input[type=file]").set_input_files(bad_file(tmp_path))
    expect(page.get_by_role("heading", name="Invalid rows (3)")).to_be_visible()
    # st.dataframe draws on a canvas; its accessible table holds the cell texts.
    invalid = page.get_by_test_id("stDataFrame").last
    lines = invalid.locator("td[role=gridcell][aria-colindex='1']")
    expect(lines).to_have_text(["2", "4", "6"])
    screenshot(page, "dataset-invalid-rows", centre=invalid)
