"""Shared fixtures. Every test gets its own STUDIO_HOME, so nothing touches ~/.fine-tune-studio.

The finished tiny job (`finished_job`, `trained_home`) comes from tests/support/fixtures.py.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

from tests.support.fixtures import finished_job, trained_home  # noqa: F401 - suite-wide

ROOT = Path(__file__).resolve().parents[1]
SHARED_ULTRACHAT = ROOT.parent / "shared" / "data" / "ultrachat" / "train_sft_sample.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def _absl_logs_to_the_real_stderr() -> None:
    """rouge_score logs through absl, whose handler keeps the sys.stderr of absl's import.
    mlflow's first import closes every logging handler (logging.config.dictConfig), and
    absl's then closes its stream unless it is the current sys.stderr. Imported in a test,
    that stream is pytest's capture: closing it killed the session ("lost sys.stderr") when
    a ROUGE test ran before mlflow's first import. So absl is imported here, on the real one."""
    captured, sys.stderr = sys.stderr, sys.__stderr__
    try:
        with contextlib.suppress(ImportError):
            import absl.logging  # noqa: F401
    finally:
        sys.stderr = captured


_absl_logs_to_the_real_stderr()


@pytest.fixture(autouse=True)
def studio_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "studio"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return home


@pytest.fixture
def ultrachat_sample() -> Path:
    """The 800 real ultrachat_200k rows in ../shared (skipped when absent)."""
    if not SHARED_ULTRACHAT.exists():
        pytest.skip(f"{SHARED_ULTRACHAT} not present")
    return SHARED_ULTRACHAT
