"""Warm the server process in the background once the first page has drawn.

Job metrics and registered models live in MLflow, and importing it takes seconds on a small
machine; so do the first plotly figure, the tokenizers library (Dataset's statistics) and
pandas (every table). Paid on a first visit, that is a slow page; paid while the person reads
the first page, it is not seen. Pages draw their slow parts after their frame until the
warm-up is done (pages/shared/deferred.py).

No two threads import at once: on Python 3.11 two threads importing the same package can hand
one of them a partially initialised module ("partially initialized module 'pandas'", seen in
the page tests). So a warm-up step starts only while no script run is alive, and while one
runs, a script run (or a helper thread it started) that imports a module not loaded yet waits
for the step to end (the import gate); a page visited meanwhile runs at once as long as what
it imports is loaded, which is why the pages' own modules are the first step.

Imports and an in-memory figure only: nothing is read or written, so it is safe in any
process. STUDIO_PRELOAD=0 turns it off (the import-budget test checks what each page imports
by itself).
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import streamlit as st

logger = logging.getLogger(__name__)

# A page run that imports what is not loaded yet waits for the warm-up step in progress, so
# MLflow comes in steps of at most ~0.6-0.9 s (`import mlflow` alone, its biggest, after its
# heavy dependencies; measured with `python -X importtime`) rather than one of ~2 s.
MLFLOW_STEPS = (
    "fastapi",  # mlflow.genai's gateway
    "sqlalchemy.orm",  # the sqlite stores
    "alembic.runtime.migration",
    "azure.storage.blob",  # the azureml-mlflow plugin, loaded by mlflow's entry points
    "mlflow",  # its tracking client too (Metrics, Deploy, a job's details)
    "mlflow.store.db.utils",  # the sqlite schema's models
    "mlflow.store.tracking.sqlalchemy_store",  # the local sqlite store
    "mlflow.store.model_registry.sqlalchemy_store",  # registered models (Deploy)
)
PAGES = Path(__file__).resolve().parents[1]
SCRIPT_THREAD = "ScriptRunner.scriptThread"  # Streamlit's thread for each script run
# Threads whose new imports wait for a warm-up step: script runs and the helper threads they
# start (token counts, parquet reads). Not the server's own (its event loop, AnyIO workers):
# a server that waited would stall every session, and before a page run could even start.
GATED_THREADS = (SCRIPT_THREAD, "token-count", "parquet-read")
POLL_S = 0.05
GATE_TIMEOUT_S = 5.0  # longer than any step (~0.9 s at most, idle)
_statistics_warm = threading.Event()
_step = threading.Condition()
_step_running = False


def warm_up() -> None:
    """Warm what pages and tables need (quick), then Dataset's statistics, then MLflow (seconds)."""
    with _import_gate():
        _alone(_import_page_modules)
        # Every st.dataframe goes through these (the last: Streamlit's, on first use).
        for name in ("pandas", "pyarrow", "streamlit.dataframe.lazy_df_adapters"):
            _alone(partial(importlib.import_module, name))
        _alone(partial(importlib.import_module, "tokenizers"))  # token counts
        _alone(_first_figure)
        _statistics_warm.set()
        for name in MLFLOW_STEPS:
            _alone(partial(importlib.import_module, name))


def _alone(step: Callable[[], object]) -> None:
    """Run `step` while no script run is alive; other threads' new imports wait for it."""
    global _step_running
    with _step:
        while _a_script_is_running():  # page runs and fragments alike
            _step.wait(POLL_S)
        _step_running = True
    try:
        step()
    except Exception:  # the page that needs it will import it again and show the error
        logger.exception("warm-up step failed")
    finally:
        with _step:
            _step_running = False
            _step.notify_all()


@contextmanager
def _import_gate() -> Iterator[None]:
    """While in the block, a GATED_THREADS thread that imports a module not loaded yet waits for
    the warm-up step in progress to end, unless it is inside an import already (it may hold that
    module's lock, which the step may need: both would wait for ever). The wait is bounded all
    the same, in case an import started where the gate does not see it."""
    originals = builtins.__import__, importlib.import_module
    depth = threading.local()  # imports in progress in this thread

    def must_wait(loaded: Callable[[], bool]) -> bool:
        return (
            _step_running
            and threading.current_thread().name.startswith(GATED_THREADS)
            and not getattr(depth, "n", 0)
            and not loaded()
        )

    def entered(call: Callable[[], object]) -> object:
        depth.n = getattr(depth, "n", 0) + 1
        try:
            return call()
        finally:
            depth.n -= 1

    def gated_import(name, globals=None, locals=None, fromlist=(), level=0):
        if must_wait(lambda: _loaded(name, fromlist, level)):
            _wait_for_step(name)
        return entered(lambda: originals[0](name, globals, locals, fromlist, level))

    def gated_import_module(name, package=None):
        if must_wait(lambda: not name.startswith(".") and _loaded(name, (), 0)):
            _wait_for_step(name)
        return entered(lambda: originals[1](name, package))

    builtins.__import__, importlib.import_module = gated_import, gated_import_module
    try:
        yield
    finally:
        builtins.__import__, importlib.import_module = originals


def _wait_for_step(name: str) -> None:
    logger.debug("%s waits for a warm-up step to import %s", threading.current_thread().name, name)
    with _step:
        if not _step.wait_for(lambda: not _step_running, timeout=GATE_TIMEOUT_S):
            logger.warning("imported %s beside a warm-up step after %s s", name, GATE_TIMEOUT_S)


def _loaded(name: str, fromlist, level: int) -> bool:
    """Whether `import name` / `from name import fromlist` needs nothing that is not loaded
    whole: the module, each package above it (a submodule can be done while its package is
    still being imported), each name taken from it. A relative import: not known here."""
    if level:
        return False
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:end]))
        if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
            return False
    return all(item == "*" or hasattr(module, item) for item in fromlist or ())


def _import_page_modules() -> None:
    """What the pages import at their top (light by design: tests/pages/test_import_budget.py)
    and the modules of pages/shared and pages/wizard; the page files themselves are scripts."""
    names = {f"pages.{path.parent.name}.{path.stem}" for path in PAGES.glob("*/*.py")}
    for path in PAGES.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    for name in sorted(names):
        if name.endswith(".__init__"):
            continue
        try:
            if importlib.util.find_spec(name) is not None:  # `from m import f`: f no module
                importlib.import_module(name)
        except (ImportError, ValueError):  # not a module after all, or one a page guards
            continue


def _a_script_is_running() -> bool:
    return any(thread.name == SCRIPT_THREAD for thread in threading.enumerate())


def _first_figure() -> None:
    """Plotly loads its figure classes and validators on first use, not on import: use them."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=[1], y=[1]))
    figure.update_layout(title="warm-up", xaxis_title="x", yaxis_title="y", margin={"t": 40})
    figure.update_xaxes(dtick=1)
    figure.add_vline(x=1, line_dash="dash", annotation_text="x", annotation_position="top left")
    figure.to_dict()


def statistics_warm() -> bool:
    """Whether plotly and tokenizers are warm in this process (Dataset's statistics)."""
    return _statistics_warm.is_set()


@st.cache_resource(show_spinner=False)
def _preload_thread() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="studio-preload", daemon=True)
    thread.start()
    return thread


def start_preload() -> None:
    """Start the background imports, once per server process (call after the page drew)."""
    if os.environ.get("STUDIO_PRELOAD", "1") != "0":
        _preload_thread()
