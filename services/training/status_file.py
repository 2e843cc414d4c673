"""A job's run status as a file (status.json), so listing jobs needs no MLflow.

MLflow holds the truth (the run's status, metrics, params, artifacts); every process that
changes a job's run status writes this file right after it has told MLflow: the submitter
(SCHEDULED, or FAILED when the worker cannot start), the worker (RUNNING, then FINISHED,
FAILED or KILLED), and the look that finds a worker dead or cancels it (FAILED or KILLED).
Reading it costs a file read, where opening the MLflow store costs seconds in a cold process.

The file names the run it describes: a record that points at another run (or a job from
before this file existed) has no usable status file, and the caller asks MLflow instead.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from services.atomic_files import write_json
from services.training.layout import STATUS_FILE


@dataclass(frozen=True)
class RunStatus:
    run_id: str
    status: str  # MLflow's run status: SCHEDULED, RUNNING, FINISHED, FAILED, KILLED
    ended_at: float | None = None  # epoch seconds, once the run has ended


def write(folder: Path, run_id: str, status: str, ended_at: float | None = None) -> None:
    """Record `status` of `run_id` atomically (ended_at defaults to now for an ended run)."""
    if ended_at is None and status not in ("SCHEDULED", "RUNNING"):
        ended_at = time.time()
    write_json(folder / STATUS_FILE, {"run_id": run_id, "status": status, "ended_at": ended_at})


def read(folder: Path, run_id: str) -> RunStatus | None:
    """The recorded status of `run_id`; None when there is none for that run (ask MLflow)."""
    try:
        data = json.loads((folder / STATUS_FILE).read_text())
        status, ended_at = data["status"], data.get("ended_at")
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if data.get("run_id") != run_id or not isinstance(status, str):
        return None
    if not isinstance(ended_at, int | float) or isinstance(ended_at, bool):
        ended_at = None
    return RunStatus(run_id, status, ended_at)
