"""Import MLflow in the background once the first page has drawn, so later pages find it loaded.

Job status, metrics and registered models live in MLflow, and importing it (with its sqlite
store) takes seconds on a small machine: paid on the first visit to Jobs, Metrics or Deploy,
that is a slow page; paid while the person reads the first page, it is not seen. No page
waits for this: a page that needs MLflow first imports it itself (Python's import lock makes
it wait for the half-done import rather than start another).

Imports only: nothing is read or written, so it is safe in any process. STUDIO_PRELOAD=0
turns it off (the import-budget test checks what each page imports by itself).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading

import streamlit as st

logger = logging.getLogger(__name__)

MODULES = (
    "mlflow.tracking",  # the client every job listing opens
    "mlflow.store.tracking.sqlalchemy_store",  # the local sqlite store behind it
    "mlflow.store.model_registry.sqlalchemy_store",  # registered models (Deploy)
)


def _import_all() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the page that needs it will import it again and show the error
            logger.exception("preloading %s failed", name)


@st.cache_resource(show_spinner=False)
def _preload_thread() -> threading.Thread:
    thread = threading.Thread(target=_import_all, name="studio-preload", daemon=True)
    thread.start()
    return thread


def start_preload() -> None:
    """Start the background imports, once per server process (call after the page drew)."""
    if os.environ.get("STUDIO_PRELOAD", "1") != "0":
        _preload_thread()
