"""Fixtures every test folder may use (imported into tests/conftest.py).

The tiny job trains once per session (`trained_home`, session scope); a test that reads or
changes it gets a private copy (`finished_job`, function scope), so no test sees another's.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support.tiny_job import copy_trained_home, train_tiny_job


class TrainedHome(NamedTuple):
    home: Path
    job_id: str


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory) -> TrainedHome:
    """A STUDIO_HOME holding one tiny job trained to the end (read-only: copy it to change it)."""
    work = tmp_path_factory.mktemp("tiny-job")
    home = work / "studio"
    return TrainedHome(home, train_tiny_job(home, work))


@pytest.fixture
def finished_job(trained_home, tmp_path, monkeypatch) -> str:
    """The id of a tiny job trained to the end, in a STUDIO_HOME of this test's own."""
    home = copy_trained_home(trained_home.home, tmp_path / "home")
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return trained_home.job_id
