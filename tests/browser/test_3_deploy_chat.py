"""Journey 5, Deploy and chat: register a finished run (the wizard journey's, or a tiny one when
this file runs alone), deploy it and its base model, chat with one, compare both, delete the
endpoints.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import choose, click, fill_number, go_to, open_app, screenshot, widget

pytestmark = pytest.mark.browser

DEPLOY_TIMEOUT_MS = 5 * 60_000  # a server process loads SmolLM2 (and the adapter)
REPLY_TIMEOUT_MS = 3 * 60_000
MAX_NEW_TOKENS = 40
ENDPOINTS: list[str] = []


def alert(page, text):
    return page.get_by_test_id("stAlert").filter(has_text=text)


def replies(page):
    return page.get_by_test_id("stChatMessage").filter(
        has=page.get_by_test_id("stChatMessageAvatarAssistant")
    )


def deployed_endpoint(page, message: re.Pattern) -> str:
    """Wait for the "<endpoint> is running." notice; the endpoint's name."""
    notice = alert(page, message)
    expect(notice).to_be_visible(timeout=DEPLOY_TIMEOUT_MS)
    return re.search(r"(\S+) is running", notice.inner_text()).group(1)


def send(page, text: str) -> None:
    box = page.get_by_test_id("stChatInput").locator("textarea")
    box.fill(text)
    box.press("Enter")


@pytest.mark.timeout(1200)  # waits on CPU training; the suite default is 600 s
def test_register_deploy_chat_compare_and_delete(page, app_server, finished_app_job):
    job_id = finished_app_job
    open_app(page, app_server.url)
    go_to(page, "Deploy")

    expect(widget(page, "deploy_job").get_by_role("combobox")).to_have_value(re.compile(job_id))
    click(page, "deploy_register")
    registered = alert(page, re.compile(r"Registered .+ version \d+"))
    expect(registered).to_be_visible(timeout=DEPLOY_TIMEOUT_MS)

    click(page, "deploy_deploy")
    ENDPOINTS.append(deployed_endpoint(page, re.compile(r"-v\d+ is running")))
    click(page, "deploy_base")
    ENDPOINTS.append(deployed_endpoint(page, re.compile(r"-base is running")))
    screenshot(page, "deploy")

    go_to(page, "Chat")
    choose(page, "chat_endpoint", ENDPOINTS[0])
    fill_number(page, "chat_max_tokens", MAX_NEW_TOKENS)  # short replies keep the CPU free
    send(page, "What is the capital of France?")
    expect(replies(page)).to_have_count(1, timeout=REPLY_TIMEOUT_MS)
    reply = replies(page).first
    expect(reply).to_contain_text(ENDPOINTS[0], timeout=REPLY_TIMEOUT_MS)  # the latency caption
    assert reply.get_by_test_id("stMarkdownContainer").first.inner_text().strip()

    page.get_by_test_id("stSidebar").get_by_text("Compare with a second endpoint").click()
    expect(widget(page, "chat_endpoint_b")).to_be_visible()
    send(page, "And of Japan?")
    expect(replies(page)).to_have_count(3, timeout=REPLY_TIMEOUT_MS)
    for reply, name in zip((replies(page).nth(1), replies(page).nth(2)), ENDPOINTS, strict=True):
        expect(reply).to_contain_text(name, timeout=REPLY_TIMEOUT_MS)
    screenshot(page, "chat-compare")

    # Delete one from the Deploy page, the other from the sidebar's cost guard.
    go_to(page, "Deploy")
    delete = widget(page, "deploy_delete").get_by_role("button")
    first = re.search(r"Delete (\S+)", delete.inner_text()).group(1)
    widget(page, f"deploy_delete_confirm_{first}").get_by_text("for good").click()  # confirm
    expect(delete).to_be_enabled()
    delete.click()
    expect(widget(page, "deploy_delete")).not_to_contain_text(first, timeout=60_000)
    (other,) = [name for name in ENDPOINTS if name != first]
    click(page, f"cost_notice_delete_{other}")
    expect(alert(page, "No endpoint yet.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("endpoints running")).to_have_count(0)
