"""Warm the server process in the background once the first page has drawn.

Job metrics and registered models live in MLflow, and importing it takes seconds on a small
machine; so do the first plotly figure, the tokenizers library (Dataset's statistics) and
pandas (every table). Paid on a first visit, that is a slow page; paid while the person reads
the first page, it is not seen. Pages draw their slow parts after their frame until the
warm-up is done (pages/shared/deferred.py).

A warm-up step never runs beside a page: on Python 3.11 two threads importing the same package
at once can hand one of them a partially initialised module ("partially initialized module
'pandas'", seen in the page tests). So each step waits until no script run is alive, and a page
run that starts meanwhile (app.py's `page_run`) waits for the step in progress to end.

Imports and an in-memory figure only: nothing is read or written, so it is safe in any
process. STUDIO_PRELOAD=0 turns it off (the import-budget test checks what each page imports
by itself).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

import streamlit as st

logger = logging.getLogger(__name__)

# A page run waits for the warm-up step in progress, so MLflow comes in steps of ~0.1-0.9 s
# (`import mlflow` alone, its biggest, after its heavy dependencies) rather than one of ~2 s.
MLFLOW_STEPS = (
    "fastapi",  # mlflow.genai's gateway
    "sqlalchemy.orm",  # the sqlite stores
    "alembic.runtime.migration",
    "azure.storage.blob",  # the azureml-mlflow plugin, loaded by mlflow's entry points
    "mlflow",
    "mlflow.tracking",  # the client of Metrics, Deploy and a job's details
    "mlflow.store.tracking.sqlalchemy_store",  # the local sqlite store behind it
    "mlflow.store.model_registry.sqlalchemy_store",  # registered models (Deploy)
)
SCRIPT_THREAD = "ScriptRunner.scriptThread"  # Streamlit's thread for each script run
POLL_S = 0.05
_statistics_warm = threading.Event()
_step = threading.Condition()
_step_running = False


def warm_up() -> None:
    """Warm what tables and Dataset's statistics need (quick), then import MLflow (seconds)."""
    _alone(partial(importlib.import_module, "pandas"))  # every st.dataframe goes through it
    _alone(partial(importlib.import_module, "tokenizers"))  # token counts
    _alone(_first_figure)
    _statistics_warm.set()
    for name in MLFLOW_STEPS:
        _alone(partial(importlib.import_module, name))


def _alone(step: Callable[[], object]) -> None:
    """Run `step` while no script run is alive; page runs that start meanwhile wait for it."""
    global _step_running
    with _step:
        while _a_script_is_running():  # also fragments, which do not pass through page_run
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
def page_run() -> Iterator[None]:
    """Wrap a script run: it starts only once the warm-up step in progress has ended."""
    with _step:
        _step.wait_for(lambda: not _step_running)
    yield


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
