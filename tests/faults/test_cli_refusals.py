"""Refusals that say why (issue 15, items 5 and 6), through the real `main()` in-process.

Exit codes (README "Exit codes"): 0 done, 1 refused with every reason listed, 2 error or
command-line usage error. The compute check runs on the tiny model folder with the machine's
free RAM lowered by monkeypatching the one function that reads it.
"""

from __future__ import annotations

import json
import sys

import pytest

from services import config
from services.cli import main
from services.params import PARAM_SPECS
from services.training import jobs
from tests.tiny_model import make_tiny_model
from tests.training.tiny import write_dataset

NUMERIC_PARAMS = sorted(name for name, spec in PARAM_SPECS.items() if spec.kind in ("int", "float"))
BAD_VALUES = ("--set", "learnig_rate=1e-4", "--set", "lora_dropout=nan", "--set", "seed=-1")
BAD_REASONS = [
    "unknown parameter 'learnig_rate': did you mean learning_rate?",
    "lora_dropout must be a finite number, not 'nan' (from you)",
    "seed must be between 0 and 4.29497e+09, not -1 (from you)",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> str:
    return str(make_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-llama"))


@pytest.fixture
def data(tmp_path) -> str:
    return str(write_dataset(tmp_path / "data")[0].parent)


@pytest.fixture
def cli(capsys, monkeypatch):
    """main(argv) → (exit code, JSON on stdout or stdout+stderr text); no GPU is visible."""
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no nvidia-smi: a CPU-only machine

    def call(*argv: str) -> tuple[int, object]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, json.loads(out.out) if "--json" in argv else out.out + out.err

    return call


@pytest.fixture
def little_free_ram(monkeypatch):
    """This machine has 8 GB of RAM, 10 MB of it free: no training fits."""
    monkeypatch.setattr("services.local.devices.ram_gb", lambda: (8.0, 0.01))


@pytest.fixture
def stand_in_worker(monkeypatch):
    """Jobs start a sleeping Python process instead of the trainer."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    monkeypatch.setattr(jobs, "worker_command", lambda job_dir: sleeper)


def test_train_with_bad_values_lists_every_reason_and_exits_1(cli, tiny_model, data):
    train = ("train", "--model", tiny_model, "--data", data, *BAD_VALUES)
    code, refused = cli(*train, "--json")
    assert code == 1
    assert refused["error"] == "ValidationError" and refused["reasons"] == BAD_REASONS

    code, text = cli(*train)
    assert code == 1
    assert text.splitlines() == [
        "refused: Some parameters are invalid.",
        *(f"  - {reason}" for reason in BAD_REASONS),
        "hint: Fix the values listed and try again.",
    ]
    assert not config.jobs_dir().exists() or not list(config.jobs_dir().iterdir())


def test_params_show_refuses_with_the_same_code_and_reasons(cli, tiny_model):
    code, refused = cli("params", "show", "--model", tiny_model, *BAD_VALUES, "--json")
    assert code == 1 and refused["reasons"] == BAD_REASONS
    code, text = cli("params", "show", "--model", tiny_model, *BAD_VALUES)
    assert code == 1 and all(f"  - {reason}" in text for reason in BAD_REASONS)


def test_malformed_set_items_are_each_listed(cli, tiny_model):
    code, refused = cli(
        "params", "show", "--model", tiny_model, "--set", "a", "--set", "=1", "--json"
    )
    assert code == 1
    assert refused["reasons"] == [
        "--set expects key=value, got 'a'",
        "--set expects key=value, got '=1'",
    ]


@pytest.mark.parametrize("name", NUMERIC_PARAMS)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_numbers_are_refused_for_every_numeric_parameter(cli, tiny_model, name, value):
    code, refused = cli(
        "params", "show", "--model", tiny_model, "--set", f"{name}={value}", "--json"
    )
    assert code == 1
    assert refused["reasons"] == [f"{name} must be a finite number, not {value!r} (from you)"]


def test_chat_refuses_non_finite_and_out_of_range_generation_parameters(cli):
    # Refused before any endpoint is looked up: no endpoint named "nowhere" exists.
    argv = (
        "chat",
        "nowhere",
        "Hi",
        "--temperature",
        "nan",
        "--top-p=-inf",
        "--max-new-tokens",
        "0",
    )
    code, refused = cli(*argv, "--json")
    assert code == 1
    assert refused["reasons"] == [
        "--temperature must be a finite number, not nan",
        "--top-p must be a finite number, not -inf",
        '"parameters.max_new_tokens" must be between 1 and 4096, the endpoint\'s limit '
        "max_new_tokens = 4096 (STUDIO_SERVE_MAX_NEW_TOKENS).",
    ]
    code, text = cli("chat", "nowhere", "Hi", "--top-p", "inf")
    assert code == 1 and "  - --top-p must be a finite number, not inf" in text


def test_train_is_refused_by_the_compute_check(cli, tiny_model, data, little_free_ram):
    code, refused = cli("train", "--model", tiny_model, "--data", data, "--json")
    assert code == 1
    assert refused["message"] == "The compute check refused this run."
    assert refused["reasons"][0].startswith("Will not fit: the run needs about ")
    assert refused["reasons"][0].endswith("this machine has 0.0 GB free.")
    assert "--force" in refused["hint"]
    check = refused["details"]["compute_check"]
    assert check["required_memory_gb"] > check["available_memory_gb"] == 0.01
    assert not config.jobs_dir().exists() or not list(config.jobs_dir().iterdir())

    code, text = cli("train", "--model", tiny_model, "--data", data, "--gpus", "2")
    assert code == 1
    assert "refused: The compute check refused this run.\n  - Asked for 2 GPUs, but" in text


def test_train_force_submits_anyway_and_says_so(
    cli, tiny_model, data, little_free_ram, stand_in_worker
):
    code, text = cli("train", "--model", tiny_model, "--data", data, "--force", "--dry-run")
    assert code == 0
    assert "\nWARNING: --force: submitting although the compute check refused it: Will not" in text
    assert "nothing submitted" in text

    code, job = cli("train", "--model", tiny_model, "--data", data, "--force", "--json")
    assert code == 0 and job["status"] == "queued"
    assert job["forced"] is True
    assert job["warnings"][0].startswith("--force: submitting although the compute check")
    assert job["compute_check"]["ok"] is False
    code, cancelled = cli("jobs", "cancel", job["id"], "--json")
    assert code == 0 and cancelled["status"] == "killed"


def test_train_that_fits_is_not_forced(cli, tiny_model, data):
    code, dry = cli("train", "--model", tiny_model, "--data", data, "--dry-run", "--json")
    assert code == 0
    assert (dry["dry_run"], dry["forced"], dry["warnings"]) == (True, False, [])
    assert dry["compute_check"]["ok"] is True
    assert not config.jobs_dir().exists() or not list(config.jobs_dir().iterdir())


def test_errors_and_usage_errors_exit_2(cli, tiny_model, tmp_path):
    code, error = cli("train", "--model", tiny_model, "--data", str(tmp_path / "x.csv"), "--json")
    assert code == 2 and error["reasons"] == [error["message"]]
    with pytest.raises(SystemExit) as usage:
        main(["train", "--model", tiny_model])  # --data missing: argparse's usage error
    assert usage.value.code == 2
