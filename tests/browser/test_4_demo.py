"""The one-click demo: progress per stage, then the Chat page with the demo's endpoint chosen.

The app under test fine-tunes the tiny model of STUDIO_DEMO_MODEL (see conftest), except in
the run that takes the docs' screenshots; the wizard journeys take SmolLM2 through the same
stages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services.demo import STAGES
from tests.browser.ui import (
    click,
    go_to,
    heading,
    idle,
    open_app,
    screenshot,
    selection,
    widget,
)

pytestmark = pytest.mark.browser

DEMO_TIMEOUT_MS = 12 * 60_000  # SmolLM2 when taking the docs' screenshots


def stage_box(page, title: str):
    return page.get_by_test_id("stExpander").filter(has_text=title)


@pytest.mark.timeout(1200)  # waits on CPU training; the suite default is 600 s
def test_one_click_demo_ends_in_the_chat(page, app_server, demo_model):
    open_app(page, app_server.url)
    go_to(page, "Demo")
    click(page, "demo_start")
    expect(widget(page, "demo_start").get_by_role("button")).to_be_disabled()
    expect(stage_box(page, STAGES[0][1])).to_have_count(1)

    ready = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Endpoint \S+ is ready"))
    expect(ready).to_be_visible(timeout=DEMO_TIMEOUT_MS)
    idle(page)  # the run that drew the alert has ended: what is on screen is its final state
    for _, title in STAGES:
        expect(stage_box(page, title)).to_have_count(1)
    verdict = re.compile(r"Tuned (beats|did not improve on) base")
    expect(stage_box(page, STAGES[-1][1])).to_contain_text(verdict)  # the last box: the verdict
    endpoint = re.search(r"Endpoint (\S+) is ready", ready.inner_text()).group(1)
    screenshot(page, "demo")

    click(page, "demo_open_chat")
    expect(heading(page, "Chat")).to_be_visible()
    expect(selection(page, "chat_endpoint")).to_have_value(endpoint)
    box = page.get_by_test_id("stChatInput").locator("textarea")
    box.fill("Hello!")
    box.press("Enter")
    reply = page.get_by_test_id("stChatMessage").filter(has_text=endpoint)
    expect(reply).to_have_count(1, timeout=120_000)
