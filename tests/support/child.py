"""Run a Python child process that prints one JSON line last, and read that line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def json_from_child(args: list[str], env: dict[str, str] | None = None) -> dict:
    """`python ARGS` in the project folder; its last stdout line as JSON (stderr on failure)."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
