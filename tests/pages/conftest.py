"""Fixtures for the page tests."""

from __future__ import annotations

import pytest


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
