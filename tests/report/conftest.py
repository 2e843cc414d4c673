"""Fixtures for the run report tests: one finished tiny job in a STUDIO_HOME of the test's own."""

from __future__ import annotations

import pytest

from tests.training.tiny import copy_of_trained_home


@pytest.fixture
def finished_job(tmp_path_factory, tmp_path, monkeypatch) -> str:
    home, job_id = copy_of_trained_home(tmp_path_factory.mktemp("tiny-job"), tmp_path / "home")
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return job_id
