"""Shared fixtures. Every test gets its own STUDIO_HOME, so nothing touches ~/.fine-tune-studio.

The finished tiny job (`finished_job`, `trained_home`) comes from tests/support/fixtures.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.fixtures import finished_job, trained_home  # noqa: F401 - suite-wide

ROOT = Path(__file__).resolve().parents[1]
SHARED_ULTRACHAT = ROOT.parent / "shared" / "data" / "ultrachat" / "train_sft_sample.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


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
