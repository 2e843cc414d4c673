"""How the journeys touch a Streamlit page: by widget key, the way a person reads the screen.

Streamlit 1.67 gives every keyed widget's container the CSS class `st-key-<key>`, so a widget
is found by the key the page gave it. Every wait is on a condition (playwright's expect).
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser.message_log import message_log

ROOT = Path(__file__).resolve().parents[2]
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
RUN_SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def widget(page: Page, key: str) -> Locator:
    return page.locator(f".st-key-{key}")


def open_app(page: Page, url: str, path: str = "", title: str = "Setup") -> None:
    """Load the app at /<path> and wait for the page's title to be drawn."""
    page.goto(f"{url}/{path}")
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(heading(page, title)).to_be_visible()


def go_to(page: Page, title: str) -> None:
    """Click a page in the sidebar navigation and wait for its title."""
    if log := message_log(page):
        log.mark(f"go_to({title!r})")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(heading(page, title)).to_be_visible()


def heading(page: Page, text: str) -> Locator:
    return page.get_by_role("heading", name=text, exact=True).first


def click(page: Page, key: str) -> None:
    widget(page, key).get_by_role("button").first.click()


def fill_number(page: Page, key: str, value: float | int) -> None:
    """Type into a number input and commit it (Enter), as a person does."""
    box = widget(page, key).locator("input")
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))


def choose(page: Page, key: str, option: str) -> None:
    """Pick `option` in a selectbox (its options render outside the widget).

    Waits for the run to end first (a run still drawing can redraw the box under the click),
    then brings the box into view and lets that scroll's events arrive before clicking:
    Playwright's click scrolls and clicks at once, and the scroll event delivered after the
    list opened closes it again. That is the "list closed right after opening" CI saw on the
    Chat page's endpoint box, at the sidebar's bottom edge when the cost notice's captions
    above it wrap onto more lines (tests/browser/test_ui_helpers.py).
    """
    idle(page)
    if log := message_log(page):
        log.mark(f"choose({key!r}, {option!r})")
    box = widget(page, key).get_by_test_id("stSelectbox")
    box.scroll_into_view_if_needed()
    next_frame(page)
    box.click()
    page.get_by_role("option", name=option).first.click()


def next_frame(page: Page) -> None:
    """Wait until the browser has drawn two frames: the events of a scroll are delivered."""
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def selection(page: Page, key: str) -> Locator:
    """A selectbox's shown value: expect(selection(...)).to_have_value(...)."""
    return widget(page, key).get_by_role("combobox")


def pick_radio(page: Page, key: str, label: str) -> None:
    widget(page, key).get_by_text(label, exact=True).click()


def idle(page: Page) -> None:
    """Wait until the script run ends.

    Streamlit marks its app element with the run's state; the "Running…" status widget is no
    signal, as it only appears once a run has lasted a moment.
    """
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


def screenshot(page: Page, name: str, centre: Locator | None = None) -> Path:
    """A page screenshot (scrolled to `centre`): docs/screenshots/ when STUDIO_SCREENSHOTS=1."""
    folder = DOCS_SCREENSHOTS if os.environ.get("STUDIO_SCREENSHOTS") == "1" else RUN_SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    if centre is not None:
        centre.evaluate("element => element.scrollIntoView({block: 'center'})")
    page.mouse.move(0, 0)  # no hover highlight in the picture
    page.screenshot(path=str(path))
    return path
