"""Fixtures for the estimate tests: the tiny model and one finished tiny job."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.tiny import copy_of_trained_home, make_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture
def finished_job(tmp_path_factory, tmp_path, monkeypatch) -> str:
    """The id of a tiny job trained to the end, in a STUDIO_HOME of this test's own."""
    home, job_id = copy_of_trained_home(tmp_path_factory.mktemp("tiny-job"), tmp_path / "home")
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return job_id
