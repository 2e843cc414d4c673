"""Fixtures for the local catalog: a tiny model folder, the bundled model converted once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.tiny_model import make_tiny_model


@pytest.fixture(scope="session")
def tiny_model_template(tmp_path_factory) -> Path:
    """The tiny random Llama (tests/tiny_model.py) and its parameter count in expected.json."""
    from transformers import AutoConfig, AutoModelForCausalLM

    folder = make_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-llama")
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder))
    (folder / "expected.json").write_text(json.dumps({"parameters": model.num_parameters()}))
    return folder


@pytest.fixture
def tiny_model(tiny_model_template, tmp_path) -> Path:
    """A copy per test, so a test may break it."""
    import shutil

    return Path(shutil.copytree(tiny_model_template, tmp_path / "tiny-llama"))


@pytest.fixture(scope="session")
def converted_bundled_home(tmp_path_factory) -> tuple[Path, float]:
    """A STUDIO_HOME in which the bundled GGUF was converted once (the real conversion).

    Runs the catalog in a child process, as the app and the training worker would, and
    returns the home and the seconds the conversion took.
    """
    home = tmp_path_factory.mktemp("bundled-home")
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    code = "from services.local import catalog; print(catalog.model_path(catalog.BUNDLED_MODEL_ID))"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    print(f"\nbundled SmolLM2 conversion took {seconds:.1f} s")
    return home, seconds


@pytest.fixture
def with_converted_bundled(converted_bundled_home, studio_home) -> Path:
    """This test's STUDIO_HOME sees the session's converted model (a symlink, not a copy)."""
    from services import config
    from services.local import catalog

    shared = converted_bundled_home[0] / "models" / catalog.BUNDLED_MODEL_ID
    link = config.models_dir() / catalog.BUNDLED_MODEL_ID
    link.symlink_to(shared, target_is_directory=True)
    return link / "model"
