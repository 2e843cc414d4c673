"""Tiny real parts for training tests: chat data, and one tiny job trained to the end.

The model itself is tests/tiny_model.py, shared with the serving, demo and browser tests.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.tiny_model import conversations, make_tiny_model  # noqa: F401 - re-exported


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def write_dataset(folder: Path, train: int = 24, test: int = 4) -> tuple[Path, Path]:
    """A prepared-dataset folder: train_sft.jsonl and test_sft.jsonl."""
    rows = conversations(train + test)
    return (
        write_jsonl(folder / "train_sft.jsonl", rows[:train]),
        write_jsonl(folder / "test_sft.jsonl", rows[train:]),
    )


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# One finished tiny job per test session, shared by the tests that only read it.
_TRAINED: dict[str, str] = {}

TINY_PARAMS = {
    "max_steps": "6",
    "per_device_train_batch_size": "2",
    "learning_rate": "5e-3",
    "lr_scheduler_type": "linear",
    "apply_lora": "true",
    "lora_r": "4",
    "lora_alpha": "8",
    "lora_target_modules": "q_proj,v_proj",
    "eval_steps": "3",
    "logging_steps": "1",
    "max_seq_length": "64",
}


def trained_tiny_job(base: Path) -> tuple[str, str]:
    """(STUDIO_HOME, job id) of a tiny job trained to the end in a real worker process.

    It is submitted through the CLI in a child process that exits at once, so the job
    finishing also shows that the worker outlives whoever started it.
    """
    if not _TRAINED:
        home = base / "studio"
        model = make_tiny_model(base / "tiny-llama")
        train_file, _ = write_dataset(base / "data")
        command = [sys.executable, "-m", "services", "train", "--backend", "local"]
        command += ["--model", str(model), "--data", str(train_file.parent)]
        command += ["--display-name", "tiny-llama-test", "--json"]
        for name, value in TINY_PARAMS.items():
            command += ["--set", f"{name}={value}"]
        env = {**os.environ, "STUDIO_HOME": str(home)}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        job_id = json.loads(done.stdout)["id"]
        wait_for(lambda: _ended(home, job_id), 180, "the tiny job to end")
        _TRAINED.update(home=str(home), job_id=job_id)
    return _TRAINED["home"], _TRAINED["job_id"]


def _ended(home: Path, job_id: str) -> bool:
    from services.training import jobs

    previous = os.environ.get("STUDIO_HOME")
    os.environ["STUDIO_HOME"] = str(home)
    try:
        return jobs.get_job(job_id).is_terminal
    finally:
        if previous is None:
            os.environ.pop("STUDIO_HOME", None)
        else:
            os.environ["STUDIO_HOME"] = previous


def copy_of_trained_home(base: Path, target: Path) -> tuple[Path, str]:
    """(a private copy of the finished tiny job's STUDIO_HOME, job id), for tests to change.

    MLflow stores absolute artifact locations: the copy's store is pointed at the copy's own
    artifacts, or a test that registers the job would write into the shared original.
    """
    home, job_id = trained_tiny_job(base)
    shutil.copytree(home, target)
    with sqlite3.connect(Path(target) / "mlflow" / "mlflow.db") as db:
        for table, column in (("experiments", "artifact_location"), ("runs", "artifact_uri")):
            db.execute(
                f"UPDATE {table} SET {column} = REPLACE({column}, ?, ?)", (home, str(target))
            )
    # MLflow caches one artifact repository per run id in a process, and the copy's runs keep
    # the original's ids: forget the cached ones, or they would still point at another copy.
    tracking_utils = sys.modules.get("mlflow.tracking._tracking_service.utils")
    if tracking_utils is not None:
        tracking_utils._artifact_repos_cache.clear()
    return target, job_id
