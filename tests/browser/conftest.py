"""Browser fixtures: the real app (`streamlit run app.py`) and Debian's chromium via playwright.

One Streamlit server per test session, on a free port, with its own STUDIO_HOME and the Hugging
Face libraries offline. The journeys share it the way one person shares one installation, but
each file makes what it needs itself, so any file runs alone or in any order: a journey that
needs a finished job asks for `finished_app_job`, which is the wizard journey's job when that
ran first, else a tiny job trained through the command line into the app's STUDIO_HOME.

Screenshots: a failing test leaves one in test-artifacts/, and the log of its page's websocket
messages (message_log.py). Page screenshots for the docs go to
docs/screenshots/ only when STUDIO_SCREENSHOTS=1 (otherwise to test-artifacts/screenshots/),
so an ordinary test run never changes tracked files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.demo import MODEL_ENV
from tests.browser.message_log import follow_messages, message_log
from tests.browser.server import AppServer, free_port, stop_leftovers
from tests.support.tiny_job import finished_jobs, train_tiny_job

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("STUDIO_CHROMIUM", "/usr/bin/chromium")
# ../shared/DESIGN.md: the flags Debian's chromium needs in a container without a GPU or a network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 860}
TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(config, items) -> None:
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: `make browser` installs it")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory) -> Path:
    """The STUDIO_HOME of the app under test (jobs, MLflow store, endpoints)."""
    return tmp_path_factory.mktemp("browser-studio")


@pytest.fixture(scope="session")
def demo_model_path(tmp_path_factory) -> Path:
    """Where the demo journey's tiny model goes (the app's STUDIO_DEMO_MODEL)."""
    return tmp_path_factory.mktemp("demo-model") / "tiny-llama"


@pytest.fixture(scope="session")
def demo_model(demo_model_path) -> Path:
    from tests.training.tiny import make_tiny_model

    return make_tiny_model(demo_model_path)


@pytest.fixture(scope="session")
def finished_app_job(app_server, browser_home, tmp_path_factory) -> str:
    """The newest finished job in the app's STUDIO_HOME; trains a tiny one when there is none."""
    finished = finished_jobs(browser_home)
    if finished:
        return finished[0].id
    return train_tiny_job(browser_home, tmp_path_factory.mktemp("browser-tiny-job"))


@pytest.fixture(scope="session")
def app_server(browser_home, demo_model_path, tmp_path_factory) -> Iterator[AppServer]:
    log = tmp_path_factory.mktemp("browser-logs") / "streamlit.log"
    # The demo journey fine-tunes a tiny model; the run that takes the docs' screenshots keeps
    # the bundled SmolLM2, so the pictures show what a user sees.
    docs_run = os.environ.get("STUDIO_SCREENSHOTS") == "1"
    env = {} if docs_run else {MODEL_ENV: str(demo_model_path)}
    server = AppServer(ROOT, browser_home, free_port(), log, env)
    server.start()
    yield server
    server.stop()
    stop_leftovers(browser_home)  # workers and endpoint servers the journeys started


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    follow_messages(page)  # written beside the screenshot when the test fails
    page.set_default_timeout(TIMEOUT_MS)
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        if log := message_log(page):
            log.write(ARTIFACTS / f"{request.node.name}.messages.log")
    context.close()
