"""Local fine-tuning jobs: submit, list, follow, cancel.

A job is a folder under services.config.jobs_dir() (see services.training.layout), an MLflow
run in the local store, and a detached worker process (services.training.worker). The run
status is the job status; a worker that died without closing its run is shown (and recorded)
as failed with the end of its log, so no job stays "running" forever.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import secrets
import sys
import time
from pathlib import Path

from services import config, tracking
from services.backends.base import RUNNING_STATUSES, JobInfo, JobSpec, LogChunk
from services.errors import JobError
from services.training import process
from services.training.layout import JOB_FILE, LOG_FILE, PROGRESS_FILE

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A worker has this long to get its pid recorded before a missing pid counts as dead.
START_GRACE_S = 30.0
LOG_TAIL_LINES = 25


def worker_command(job_dir: Path) -> list[str]:
    """How a job's worker is started (tests may replace this to run a stand-in process)."""
    return [sys.executable, "-m", "services.training.worker", str(job_dir)]


def mlflow_ui_command() -> str:
    """The command that opens the MLflow UI on the local store."""
    return f"mlflow ui --backend-store-uri {config.mlflow_tracking_uri()}"


def _new_job_id() -> str:
    return f"job-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


def _job_dir(job_id: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", job_id or ""):
        raise JobError(
            f"{job_id!r} is not a job id.", "List jobs with `python -m services jobs list`."
        )
    folder = config.jobs_dir() / job_id
    if not (folder / JOB_FILE).exists():
        raise JobError(
            f"There is no local job {job_id!r}.", "List jobs with `python -m services jobs list`."
        )
    return folder


def _read_record(folder: Path) -> dict:
    return json.loads((folder / JOB_FILE).read_text())


def _write_record(folder: Path, record: dict) -> None:
    temporary = folder / f".{JOB_FILE}.tmp"
    temporary.write_text(json.dumps(record, indent=2))
    os.replace(temporary, folder / JOB_FILE)


def _model_name(model_id: str) -> str:
    name = Path(model_id.rstrip("/")).name or model_id
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def _check_spec(spec: JobSpec) -> None:
    if not spec.model_id:
        raise JobError("The job has no model.", "Pick a model first.")
    for label, path in (("training", spec.train_file), ("validation", spec.test_file)):
        if path and not Path(path).is_file():
            raise JobError(
                f"The {label} file {path} does not exist.",
                "Prepare a dataset first (Dataset page or `python -m services dataset`).",
            )
    if not spec.train_file:
        raise JobError("The job has no training file.", "Prepare a dataset first.")


def submit_job(spec: JobSpec) -> JobInfo:
    """Record the job, open its MLflow run and start its worker; returns at once (queued)."""
    from mlflow.entities import Param  # mlflow loads on first use: pages draw without it

    _check_spec(spec)
    job_id = _new_job_id()
    folder = config.jobs_dir() / job_id
    folder.mkdir(parents=True)
    client = tracking.local_client()
    experiment = spec.experiment_name or f"chat_completion_{_model_name(spec.model_id)}"
    experiment_id = tracking.ensure_experiment(
        client, experiment, config.mlflow_artifact_root() / _model_name(experiment)
    )
    run = client.create_run(
        experiment_id, run_name=spec.display_name or job_id, tags={"studio.job_id": job_id}
    )
    run_id = run.info.run_id
    params = {**{k: str(v) for k, v in spec.params.items()}, **_spec_params(spec)}
    client.log_batch(run_id, params=[Param(k, v) for k, v in params.items()])
    client.update_run(run_id, status="SCHEDULED")
    record = {
        "id": job_id,
        "model_id": spec.model_id,
        "display_name": spec.display_name,
        "run_id": run_id,
        "experiment_id": experiment_id,
        "spec": dataclasses.asdict(spec),
        "pid": None,
        "pid_stamp": "",
        "created_at": time.time(),
        "cancel_requested": False,
    }
    _write_record(folder, record)
    env = {**os.environ, **config.offline_env(), "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    try:
        pid = process.start_detached(worker_command(folder), folder / LOG_FILE, env)
    except OSError as error:
        client.set_terminated(run_id, status="FAILED")
        raise JobError(f"The training worker could not start: {error}") from error
    record.update(pid=pid, pid_stamp=process.start_time(pid))
    _write_record(folder, record)
    logger.info("job %s started (pid %s, run %s)", job_id, pid, run_id)
    return JobInfo(
        id=job_id,
        status="queued",
        model_id=spec.model_id,
        display_name=spec.display_name,
        started_at=record["created_at"],
        run_id=run_id,
    )


def _spec_params(spec: JobSpec) -> dict[str, str]:
    return {
        "model_id": spec.model_id,
        "train_file": spec.train_file,
        "test_file": spec.test_file,
        "compute": spec.compute,
        "gpus": str(spec.gpus),
    }


def _worker_alive(record: dict) -> bool:
    if record.get("pid") is None:
        return time.time() - record.get("created_at", 0) < START_GRACE_S
    return process.is_alive(record["pid"], record.get("pid_stamp", ""))


def _log_tail(folder: Path, lines: int = LOG_TAIL_LINES) -> str:
    path = folder / LOG_FILE
    if not path.exists():
        return ""
    with open(path, "rb") as file:
        file.seek(max(0, path.stat().st_size - 16_384))
        text = file.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _progress(folder: Path) -> dict:
    try:
        return json.loads((folder / PROGRESS_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _job_info(folder: Path, record: dict, client) -> JobInfo:
    run = client.get_run(record["run_id"])
    status = tracking.job_status(run.info.status)
    if status in RUNNING_STATUSES and not _worker_alive(record):
        # The worker died without closing its run (SIGKILL, out of memory, machine restart).
        closing = "KILLED" if record.get("cancel_requested") else "FAILED"
        client.set_terminated(record["run_id"], status=closing)
        run = client.get_run(record["run_id"])
        status = tracking.job_status(closing)
    progress = _progress(folder) if status != "queued" else {}
    return JobInfo(
        id=record["id"],
        status=status,
        model_id=record.get("model_id", ""),
        display_name=record.get("display_name", ""),
        started_at=(run.info.start_time or 0) / 1000 or record.get("created_at"),
        ended_at=run.info.end_time / 1000 if run.info.end_time else None,
        step=progress.get("step"),
        total_steps=progress.get("total_steps"),
        error=_log_tail(folder) if status == "failed" else "",
        run_id=record["run_id"],
        eta_seconds=progress.get("eta_seconds") if status == "running" else None,
    )


def get_job(job_id: str) -> JobInfo:
    folder = _job_dir(job_id)
    return _job_info(folder, _read_record(folder), tracking.local_client())


def list_jobs() -> list[JobInfo]:
    """Every local job, newest first."""
    jobs = []
    for job_file in config.jobs_dir().glob(f"*/{JOB_FILE}"):
        try:
            jobs.append((_read_record(job_file.parent), job_file.parent))
        except (OSError, ValueError):
            logger.warning("skipping unreadable job record %s", job_file)
    jobs.sort(key=lambda item: item[0].get("created_at", 0), reverse=True)
    client = tracking.local_client() if jobs else None  # no job, no need to import mlflow
    return [_listed_job(folder, record, client) for record, folder in jobs]


def _listed_job(folder: Path, record: dict, client) -> JobInfo:
    """A job for the list; one whose MLflow run is gone is listed as failed, not an error."""
    from mlflow.exceptions import MlflowException  # loaded already: `client` is mlflow's

    try:
        return _job_info(folder, record, client)
    except MlflowException as error:
        logger.warning("job %s: its MLflow run cannot be read: %s", record.get("id"), error)
        return JobInfo(
            id=record.get("id", folder.name),
            status="failed",
            model_id=record.get("model_id", ""),
            display_name=record.get("display_name", ""),
            started_at=record.get("created_at"),
            error=f"Its MLflow run {record.get('run_id')} cannot be read: {error}",
            run_id=record.get("run_id", ""),
        )


def cancel_job(job_id: str) -> None:
    """Stop the worker and its children (SIGTERM, then SIGKILL) and mark the run killed."""
    folder = _job_dir(job_id)
    record = _read_record(folder)
    client = tracking.local_client()
    if _job_info(folder, record, client).is_terminal:
        return
    record["cancel_requested"] = True
    _write_record(folder, record)
    if record.get("pid") and not process.stop_group(record["pid"], record.get("pid_stamp", "")):
        raise JobError(
            f"Job {job_id} (pid {record['pid']}) did not stop.", "Stop the process by hand."
        )
    if client.get_run(record["run_id"]).info.status in ("SCHEDULED", "RUNNING"):
        client.set_terminated(record["run_id"], status="KILLED")
    with open(folder / LOG_FILE, "a") as log:
        log.write(f"[{time.strftime('%H:%M:%S')}] cancelled by the user\n")


def read_logs(job_id: str, offsets: dict | None = None) -> LogChunk:
    """Log text written since `offsets` ({"train.log": bytes already read}).

    While the worker runs, an unfinished last line is held back for the next call.
    """
    folder = _job_dir(job_id)
    path = folder / LOG_FILE
    start = int((offsets or {}).get(LOG_FILE, 0))
    size = path.stat().st_size if path.exists() else 0
    if size < start:
        start = 0  # the file was replaced: read it again from the top
    if size == start:
        return LogChunk("", {LOG_FILE: start})
    with open(path, "rb") as file:
        file.seek(start)
        data = file.read(size - start)
    if _worker_alive(_read_record(folder)) and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
    return LogChunk(data.decode("utf-8", errors="replace"), {LOG_FILE: start + len(data)})


def get_metrics(job_id: str) -> dict[str, list[tuple[int, float]]]:
    """Each metric's (step, value) history from the job's MLflow run."""
    record = _read_record(_job_dir(job_id))
    return tracking.metric_histories(tracking.local_client(), record["run_id"])


def get_params(job_id: str) -> dict[str, str]:
    record = _read_record(_job_dir(job_id))
    return tracking.run_params(tracking.local_client(), record["run_id"])
