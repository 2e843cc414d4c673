"""Part 4, the app: cold start, per-page render time and the Streamlit process's memory.

Floor: the smallest Streamlit app (bench/children/hello_app.py) measured the same way, so the
ratio says how much the product adds to Streamlit itself. Two views:
- AppTest in a cold child process: first page, then every page of app.py in turn;
- the real server (`streamlit run`) driven by Debian's chromium (when installed): from
  starting the server to the first page drawn and idle in the browser (cold first paint), each
  page's first visit from the browser's request (against a reload of the one-line app), then
  the server's memory and whether libtorch is mapped into it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.children import peak_rss_mb
from bench.common import ROOT, Figure, PartResult, Skipped, alternate, median, peak_memory
from bench.context import Context
from pages.shared.deferred import PLACEHOLDER_KEY

PART = "app"
APP = ROOT / "app.py"
HELLO = ROOT / "bench" / "children" / "hello_app.py"
CHROMIUM = os.environ.get("STUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 180_000
FIRST_PAINT_S = 3.0  # issue 11's targets, on a 2-core machine
FIRST_VISIT_S = 1.5
FLOOR_VISITS = 3


def app_pages() -> list[tuple[str, str]]:
    """(file stem, title) of each page, in app.py's navigation order; the stem is its URL path."""
    pattern = r'st\.Page\(\s*"pages/(\w+)\.py",\s*title="([^"]+)"'
    return re.findall(pattern, APP.read_text())


def run(context: Context) -> PartResult:
    context.model_folder()  # pages count tokens with the bundled tokenizer: convert first
    pages = app_pages()
    job_note = []
    try:
        context.small_job()  # Jobs, Metrics and Deploy then read a real run from MLflow
    except Skipped as reason:
        job_note = [f"No job in STUDIO_HOME ({reason}): Jobs and Metrics had nothing to read."]
    figures, notes = _apptest(context, pages)
    notes = job_note + notes
    if Path(CHROMIUM).exists() and _has_playwright():
        context.progress("app: real server in chromium")
        more, more_notes = _browser(pages)
        figures += more
        notes += more_notes
    else:
        notes.append(f"No browser figures: {CHROMIUM} or playwright is missing (`make browser`).")
    intro = (
        f"AppTest: {context.repeats} cold processes per side, every page rendered once in each "
        "(median over processes). Browser: one cold server per side, each page opened once by "
        "its URL in one tab. STUDIO_HOME is the run's own, with one finished job."
    )
    return PartResult(figures, intro, notes)


def _apptest(context: Context, pages: list[tuple[str, str]]) -> tuple[list[Figure], list[str]]:
    names = [name for name, _ in pages]
    ours, floor = alternate(
        context.repeats,
        ["bench.children.app_render", str(APP), "1", *names],
        ["bench.children.app_render", str(HELLO), "1"],
    )
    context.progress("app: AppTest runs done")
    figures = [
        Figure(
            PART,
            "AppTest: cold process to first page rendered (Setup)",
            "s",
            median([r.output["first_s"] for r in ours]),
            median([r.output["first_s"] for r in floor]),
            note="floor: the one-line app",
        ),
    ]
    for name, title in pages:
        figures.append(
            Figure(
                PART,
                f"AppTest: {title} page render",
                "s",
                median([t for r in ours for t in r.output["renders"][name]]),
                None,
            )
        )
    heavy = sorted({m for r in ours for m in r.output["heavy"]})
    torch_loaded = "torch" in heavy
    figures.append(
        peak_memory(
            PART,
            "AppTest: peak memory of the process after every page",
            ours,
            floor,
            target="torch not imported",
            met=not torch_loaded,
            shortfall="torch is in sys.modules" if torch_loaded else "",
            note=f"heavy modules imported: {', '.join(heavy) or 'none'}",
        )
    )
    slowest = max(names, key=lambda n: median([t for r in ours for t in r.output["renders"][n]]))
    notes = [
        f"Slowest page under AppTest: {slowest}. AppTest opens the pages back to back, so the "
        "first page that reads jobs pays for importing mlflow and opening its store; in the "
        "real server app.py preloads mlflow in the background once the first page has drawn.",
    ]
    errors = {page: text for r in ours for page, text in r.output["errors"].items()}
    for page, text in errors.items():
        notes.append(f"The {page} page showed an exception under AppTest: {text}")
    return figures, notes


def _has_playwright() -> bool:
    import importlib.util

    return importlib.util.find_spec("playwright") is not None


def _browser(pages: list[tuple[str, str]]) -> tuple[list[Figure], list[str]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            floor = _serve_and_visit(browser, HELLO, [("", "Hello")] * (1 + FLOOR_VISITS))
            ours = _serve_and_visit(browser, APP, [("", pages[0][1]), *pages[1:]])
        finally:
            browser.close()
    floor_visit = median(floor["visits"][1:])
    figures = [
        Figure(
            PART,
            "browser: cold first paint (server start to first page drawn and idle)",
            "s",
            ours["visits"][0],
            floor["visits"][0],
            target=f"< {FIRST_PAINT_S:g} s",
            note="spawn `streamlit run` until the page's title is drawn and its run has ended",
        ).needs_below(FIRST_PAINT_S)
    ]
    visits = zip(pages[1:], ours["visits"][1:], ours["filled"][1:], strict=True)
    for (_, title), visit, filled in visits:
        figures.append(
            Figure(
                PART,
                f"browser: {title} page, first visit (request to drawn and idle)",
                "s",
                visit,
                floor_visit,
                target=f"< {FIRST_VISIT_S:g} s",
                note=f"floor: the one-line app reloaded, median of {FLOOR_VISITS}",
            ).needs_below(FIRST_VISIT_S)
        )
        if filled is not None:
            figures.append(
                Figure(
                    PART,
                    f"browser: {title} page, first visit until its placeholders are filled in",
                    "s",
                    filled,
                    floor_visit,
                    note="the parts drawn after the page (cold process) drawn and idle",
                )
            )
    figures.append(
        Figure(
            PART,
            "browser: Streamlit server memory after every page",
            "MB",
            ours["peak_mb"],
            floor["peak_mb"],
            target="libtorch not mapped",
            met=not ours["libtorch"],
            shortfall="libtorch is mapped into the server" if ours["libtorch"] else "",
            note=f"VmHWM; current RSS {ours['rss_mb']:.0f} MB",
        )
    )
    return figures, []


def _serve_and_visit(browser, app: Path, visits: list[tuple[str, str]]) -> dict:
    """Start `streamlit run app`, then open each (url path, title) in turn in one tab.

    The first visit is timed from spawning the server (cold first paint), each later one from
    the browser's request (page.goto) until the page's title is drawn and its run has ended.
    """
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(app), "--server.headless=true",
        "--server.address=127.0.0.1", f"--server.port={port}",
        "--server.fileWatcherType=none", "--browser.gatherUsageStats=false",
    ]  # fmt: skip
    started = time.perf_counter()
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    url = f"http://127.0.0.1:{port}"
    try:
        _goto_when_up(page, f"{url}/", started)
        _wait_drawn(page, visits[0][1])
        result = {"visits": [time.perf_counter() - started], "filled": [_wait_filled(page)]}
        for path, title in visits[1:]:
            began = time.perf_counter()
            page.goto(f"{url}/{path}")
            _wait_drawn(page, title)
            result["visits"].append(time.perf_counter() - began)
            had_placeholders = _wait_filled(page)
            result["filled"].append(time.perf_counter() - began if had_placeholders else None)
        maps = Path(f"/proc/{server.pid}/maps").read_text()
        result["libtorch"] = "libtorch" in maps
        result["peak_mb"] = peak_rss_mb(server.pid)
        result["rss_mb"] = _rss_mb(server.pid)
        return result
    finally:
        context.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _goto_when_up(page, url: str, started: float) -> None:
    while True:
        try:
            page.goto(url)
            return
        except Exception:  # connection refused until the server listens
            if time.perf_counter() - started > TIMEOUT_MS / 1000:
                raise
            time.sleep(0.1)  # polling a condition: the server accepting connections


def _wait_drawn(page, title: str) -> None:
    """The page's title is drawn and its script run has ended (Streamlit's own run state).

    Checked on every animation frame: a page whose slow part comes after a placeholder is
    idle for only FIRST_DRAW_DELAY_S before that part's run, which a slower poll can miss
    (and then it times the placeholder's fill, reported apart)."""
    page.wait_for_function(
        """title => [...document.querySelectorAll("h1, h2, h3")].some(
               heading => heading.textContent.trim() === title)
           && document.querySelector("[data-testid=stApp]")
               ?.getAttribute("data-test-script-state") === 'notRunning'""",
        arg=title,
        polling="raf",
        timeout=TIMEOUT_MS,
    )


def _wait_filled(page) -> bool:
    """Wait until no placeholder of a deferred part (pages/shared/deferred.py) is left and the
    page is idle again; whether there was one."""
    from playwright.sync_api import expect

    placeholders = page.locator(f"[class*='st-key-{PLACEHOLDER_KEY}']")
    if placeholders.count() == 0:
        return False
    expect(placeholders).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=TIMEOUT_MS
    )
    return True


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
