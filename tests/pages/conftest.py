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


@pytest.fixture(autouse=True, scope="session")
def _warm_process(tmp_path_factory):
    """Pages draw their slow parts in place, as in a server process that is warm.

    A cold process draws them after a placeholder (pages/shared/deferred.py); whether this
    process is cold would otherwise depend on which test ran first. test_import_budget.py
    checks the cold pages, each in a fresh process.
    """
    from pages.shared import preload
    from services import tracking

    preload.warm_up()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDIO_HOME", str(tmp_path_factory.mktemp("warm-home")))
        tracking.local_client()
    assert preload.statistics_warm() and tracking.local_client_opened()
