"""Fixtures for training tests: a tiny model, chat data, a stand-in worker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from services.backends.base import JobSpec
from services.training import jobs
from tests.training.tiny import (
    TINY_PARAMS,
    make_tiny_model,
    write_dataset,
)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture
def tiny_data(tmp_path) -> tuple[Path, Path]:
    return write_dataset(tmp_path / "data")


@pytest.fixture
def tiny_spec(tiny_model, tiny_data):
    def build(**params) -> JobSpec:
        return JobSpec(
            model_id=str(tiny_model),
            train_file=str(tiny_data[0]),
            test_file=str(tiny_data[1]),
            compute="cpu",
            gpus=0,
            params={**TINY_PARAMS, **params},
            display_name="tiny-test",
        )

    return build


@pytest.fixture
def stand_in_worker(monkeypatch):
    """Jobs start a sleeping Python process instead of the trainer (for job bookkeeping tests)."""
    monkeypatch.setattr(
        jobs,
        "worker_command",
        lambda job_dir: [sys.executable, "-c", "import time; time.sleep(120)"],
    )
