"""How the journeys touch a Streamlit page: by widget key, the way a person reads the screen.

Streamlit 1.67 gives every keyed widget's container the CSS class `st-key-<key>`, so a widget
is found by the key the page gave it. Every wait is on a condition (playwright's expect).
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.message_log import message_log

ROOT = Path(__file__).resolve().parents[2]
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "test-artifacts"
RUN_SCREENSHOTS = ARTIFACTS / "screenshots"
CHOOSE_TIMEOUT_S = 60.0


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

    Waits for the run to end first: a run still drawing can close the open list under the click.
    CI saw the list close again right after opening (the Chat page's endpoint box after the
    Deploy page, 2 of ~12 fresh-clone runs; none in 20 runs on purpose): open it again until
    the option can be clicked, with a warning in the test report naming the log of the page's
    messages and a screenshot (test-artifacts/), as the cause is not found yet.
    """
    box = widget(page, key).get_by_test_id("stSelectbox")
    choice = page.get_by_role("option", name=option).first
    log = message_log(page)
    deadline = time.monotonic() + CHOOSE_TIMEOUT_S
    while True:
        idle(page)
        if log:
            log.mark(f"choose({key!r}): open the list")
        box.click()
        try:
            choice.click(timeout=5_000)
            return
        except PlaywrightTimeoutError:
            if time.monotonic() > deadline:
                raise
            warnings.warn(
                f"choose(): the {key} list closed right after opening; {_evidence(page, key)}",
                stacklevel=2,
            )


def _evidence(page: Page, key: str) -> str:
    """A screenshot and the page's message log in test-artifacts/; where they are."""
    stem = ARTIFACTS / f"choose-{key}-{time.strftime('%H%M%S')}"
    stem.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{stem}.png", full_page=True)
    log = message_log(page)
    if log is None:
        return f"screenshot {stem}.png"
    log.mark(f"choose({key!r}): the option was not there")
    log.write(stem.with_suffix(".log"))
    return f"screenshot and messages: {stem}.png, {stem}.log"


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
