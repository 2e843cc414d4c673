"""Helpers for AppTest: start the real app.py and open a page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, timeout: float = 60) -> AppTest:
    """Run app.py, then switch to pages/<page>.py and run it."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    if page != "setup":
        at.switch_page(f"pages/{page}.py").run()
    return at
