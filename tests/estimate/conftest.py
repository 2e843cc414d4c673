"""Fixtures for the estimate tests: the tiny model (the finished tiny job: tests/support)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.tiny import make_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("tiny-llama"))
