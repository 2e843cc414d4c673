"""Helpers for AppTest: start the real app.py and open a page."""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support.child import json_from_child

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


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


def run_in_fresh_process(script: str, args: list[str], home: Path) -> dict:
    """Run `script` (it prints one JSON line last) in a new interpreter, preload off; its JSON.

    A fresh process because sys.modules only grows: what it imports is what the page imported.
    """
    env = {**os.environ, "STUDIO_HOME": str(home), "STUDIO_PRELOAD": "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return json_from_child(["-c", script, *args], env)
