"""Warm the server process in the background once the first page has drawn.

Job metrics and registered models live in MLflow, and importing it takes seconds on a small
machine; so do the first plotly figure, the tokenizers library (Dataset's statistics) and
pandas (every table). Paid on a first visit, that is a slow page; paid while the person reads
the first page, it is not seen. The quick part runs at once; MLflow's import waits for a
moment when no page is running, since it holds the GIL for seconds. No page waits for this:
a page that needs a library imports it itself (Python's import lock makes it wait for the
half-done import rather than start another), and pages draw their slow parts after their
frame until the warm-up is done (pages/shared/deferred.py).

Imports and an in-memory figure only: nothing is read or written, so it is safe in any
process. STUDIO_PRELOAD=0 turns it off (the import-budget test checks what each page imports
by itself).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time

import streamlit as st

logger = logging.getLogger(__name__)

MLFLOW_MODULES = (
    "mlflow.tracking",  # the client of Metrics, Deploy and a job's details
    "mlflow.store.tracking.sqlalchemy_store",  # the local sqlite store behind it
    "mlflow.store.model_registry.sqlalchemy_store",  # registered models (Deploy)
)
SCRIPT_THREAD = "ScriptRunner.scriptThread"
QUIET_S = 0.5
MAX_WAIT_S = 30.0
_statistics_warm = threading.Event()


def warm_up() -> None:
    """Warm what tables and Dataset's statistics need (quick), then import MLflow (seconds)."""
    _import("pandas")  # every st.dataframe (Jobs' list first) converts through it
    _import("tokenizers")  # token counts
    try:
        _first_figure()
    except Exception:  # the page that draws a figure will show the error
        logger.exception("preloading plotly failed")
    _statistics_warm.set()
    for name in MLFLOW_MODULES:
        _wait_until_quiet()
        _import(name)


def _wait_until_quiet() -> None:
    """Wait until no page has run for QUIET_S (at most MAX_WAIT_S): MLflow's import holds
    the GIL for seconds, which would slow the page someone is opening right now."""
    deadline = time.monotonic() + MAX_WAIT_S
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if _a_page_is_running():
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_S:
            return
        time.sleep(0.05)  # polling the server's script threads


def _a_page_is_running() -> bool:
    # Streamlit runs each script run (a page, a rerun, a fragment) in a thread of this name.
    return any(thread.name == SCRIPT_THREAD for thread in threading.enumerate())


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:  # the page that needs it will import it again and show the error
        logger.exception("preloading %s failed", name)


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
