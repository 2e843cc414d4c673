"""Fixtures for the page tests."""

from __future__ import annotations

import pytest

from tests.training.tiny import copy_of_trained_home


@pytest.fixture
def finished_job(tmp_path_factory, tmp_path, monkeypatch) -> str:
    """A STUDIO_HOME of its own holding a finished tiny job (trained once per session)."""
    home, job_id = copy_of_trained_home(tmp_path_factory.mktemp("tiny-job"), tmp_path / "home")
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return job_id
