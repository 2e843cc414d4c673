"""One tiny job trained to the end in a real worker process, and private copies of its home."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.backends import create_backend
from services.backends.base import JobInfo
from tests.training.tiny import TINY_PARAMS, make_tiny_model, wait_for, write_dataset

TRAIN_TIMEOUT_S = 180


def train_tiny_job(home: Path, work: Path, display_name: str = "tiny-llama-test") -> str:
    """Train a tiny job to the end in STUDIO_HOME=`home` (model, data under `work`); its id.

    It is submitted through the CLI in a child process that exits at once, so the job
    finishing also shows that the worker outlives whoever started it.
    """
    model = make_tiny_model(work / "tiny-llama")
    train_file, _ = write_dataset(work / "data")
    command = [sys.executable, "-m", "services", "train", "--backend", "local"]
    command += ["--model", str(model), "--data", str(train_file.parent)]
    command += ["--display-name", display_name, "--json"]
    for name, value in TINY_PARAMS.items():
        command += ["--set", f"{name}={value}"]
    env = {**os.environ, "STUDIO_HOME": str(home)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    job_id = json.loads(done.stdout)["id"]
    wait_for(lambda: job_status(home, job_id).is_terminal, TRAIN_TIMEOUT_S, "the tiny job to end")
    job = job_status(home, job_id)
    assert job.status == "finished", job.error
    return job_id


def job_status(home: Path, job_id: str) -> JobInfo:
    """The job as seen with STUDIO_HOME=`home`."""
    with studio_home_set(home):
        return create_backend("local").get_job(job_id)


def finished_jobs(home: Path) -> list[JobInfo]:
    """The finished jobs in STUDIO_HOME=`home`, newest first."""
    with studio_home_set(home):
        return [job for job in create_backend("local").list_jobs() if job.status == "finished"]


@contextmanager
def studio_home_set(home: Path) -> Iterator[None]:
    """STUDIO_HOME=`home` for this process while inside; what it was before afterwards."""
    previous = os.environ.get("STUDIO_HOME")
    os.environ["STUDIO_HOME"] = str(home)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("STUDIO_HOME", None)
        else:
            os.environ["STUDIO_HOME"] = previous


def copy_trained_home(home: Path, target: Path) -> Path:
    """A private copy of a trained STUDIO_HOME at `target`, for a test to change.

    MLflow stores absolute artifact locations: the copy's store is pointed at the copy's own
    artifacts, or a test that registers the job would write into the shared original.
    """
    shutil.copytree(home, target)
    with sqlite3.connect(Path(target) / "mlflow" / "mlflow.db") as db:
        for table, column in (("experiments", "artifact_location"), ("runs", "artifact_uri")):
            db.execute(
                f"UPDATE {table} SET {column} = REPLACE({column}, ?, ?)", (str(home), str(target))
            )
    # MLflow caches one artifact repository per run id in a process, and the copy's runs keep
    # the original's ids: forget the cached ones, or they would still point at another copy.
    tracking_utils = sys.modules.get("mlflow.tracking._tracking_service.utils")
    if tracking_utils is not None:
        tracking_utils._artifact_repos_cache.clear()
    return target
