"""`python -m services models ...` and `compute ...`: exit codes through real subprocesses,
the rest through the same `main()` in-process (each subprocess pays ~4 s of imports)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from services.cli import main
from services.local import catalog
from tests.conftest import ROOT

CHECK_BUNDLED = ("compute", "check", "--backend", "local", "--model", catalog.BUNDLED_MODEL_ID)


def run_cli(*args: str) -> tuple[int, dict | list]:
    result = subprocess.run(
        [sys.executable, "-m", "services", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": "/usr/bin:/bin"},  # no nvidia-smi: a CPU-only machine
    )
    return result.returncode, json.loads(result.stdout)


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")

    def call(*args: str, as_json: bool = True) -> tuple[int, object]:
        code = main([*args, "--json"] if as_json else list(args))
        out = capsys.readouterr()
        return code, json.loads(out.out) if as_json else out.out + out.err

    return call


def test_compute_check_exit_codes_ok_refused_and_error():
    code, verdict = run_cli(*CHECK_BUNDLED, "--batch-size", "2", "--max-seq-length", "256")
    assert code == 0
    assert verdict["ok"] is True and verdict["gpus"] == 0
    assert verdict["required_memory_gb"] < verdict["available_memory_gb"]

    code, verdict = run_cli(*CHECK_BUNDLED, "--gpus", "2")
    assert code == 1
    assert verdict["ok"] is False
    assert verdict["reasons"] == ["Asked for 2 GPUs, but this machine has 0 GPUs visible."]

    code, error = run_cli("compute", "check", "--backend", "local", "--model", "org/x")
    assert code == 2
    assert "hub is unreachable" in error["message"]


def test_models_list_shows_the_bundled_model(cli):
    code, models = cli("models", "list", "--backend", "local")
    assert code == 0
    assert models[0]["id"] == catalog.BUNDLED_MODEL_ID
    assert models[0]["parameters"] == 134_515_008 and models[0]["has_chat_template"] is True


def test_models_add_then_list_and_show(cli, tiny_model):
    code, added = cli("models", "add", str(tiny_model))
    assert code == 0 and added["source"] == "folder"
    _, models = cli("models", "list", "--backend", "local")
    assert [m["id"] for m in models] == [catalog.BUNDLED_MODEL_ID, str(tiny_model.resolve())]
    code, shown = cli("models", "show", str(tiny_model), "--backend", "local")
    assert code == 0 and shown["context_length"] == 512
    code, text = cli("models", "list", as_json=False)
    assert "tiny-llama  (folder," in text and "context 512, chat template)" in text


def test_models_add_of_a_bad_folder_is_an_error(cli, tmp_path):
    code, error = cli("models", "add", str(tmp_path))
    assert code == 2
    assert error["error"] == "ModelError" and "no readable config.json" in error["message"]


def test_hub_model_offline_is_an_error_saying_so(cli):
    code, error = cli("models", "show", "org/some-model", "--backend", "local")
    assert code == 2
    assert "hub is unreachable" in error["message"]
    assert catalog.BUNDLED_MODEL_ID in error["hint"]


def test_compute_list_has_the_cpu(cli):
    code, computes = cli("compute", "list", "--backend", "local")
    assert code == 0 and [c["name"] for c in computes] == ["cpu"]


def test_compute_check_refuses_a_batch_that_cannot_fit(cli):
    code, verdict = cli(*CHECK_BUNDLED, "--batch-size", "4096", "--max-seq-length", "8192")
    assert code == 1
    assert verdict["reasons"][0].startswith("Will not fit")
    assert verdict["required_memory_gb"] > verdict["available_memory_gb"]
    assert verdict["hints"]


def test_compute_check_text_output_for_people(cli):
    code, text = cli(*CHECK_BUNDLED, "--gpus", "-1", as_json=False)
    assert code == 1
    assert text.startswith(
        "refused: this compute cannot run it\n  - The number of GPUs cannot be negative"
    )
    assert "\nhint: Train on the CPU: compute 'cpu' with 0 GPUs." in text
    code, text = cli(*CHECK_BUNDLED, "--compute", "cpu", as_json=False)
    assert code == 0 and text.startswith("ok: needs about ")


def test_azure_backend_errors_are_shown_not_raised(cli, monkeypatch, tmp_path):
    # No workspace configured anywhere: the Azure backend's own error reaches the user.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("AZURE_", "AZUREML_")):
            monkeypatch.delenv(name)
    code, error = cli("models", "list", "--backend", "azure")
    assert code == 2
    assert error["message"]
