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
def _mlflow_warm(tmp_path_factory):
    """Pages draw their MLflow parts in place, as in a server whose MLflow is loaded.

    A cold process draws a placeholder first (pages/shared/deferred.py); whether this process
    is cold would otherwise depend on which test ran first. test_import_budget.py and
    test_deferred_parts.py check the cold pages, each in a fresh process.
    """
    from services import tracking

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDIO_HOME", str(tmp_path_factory.mktemp("warm-home")))
        tracking.local_client()
    assert tracking.local_client_opened()
