"""Helpers for AppTest: start the real app.py and open a page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, timeout: float = 60, query_params: dict | None = None) -> AppTest:
    """Run app.py, then switch to pages/<page>.py (with `query_params` in the URL) and run it."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    if page != "setup":
        at.switch_page(f"pages/{page}.py")
        for key, value in (query_params or {}).items():
            at.query_params[key] = value
        at.run()
    return at
