"""Local fine-tuning jobs: submit, list, follow, cancel.

A job is a folder under services.config.jobs_dir() (see services.training.layout), an MLflow
run in the local store, and a detached worker process (services.training.worker). The run
status is the job status, read from the job's status.json (services.training.status_file),
which every change to the run's status also writes, so listing jobs opens no MLflow store; a
job without one (made before it existed) is read from MLflow. A worker that died without
closing its run is recorded, by the first look that finds it dead, as failed (a line in its
log, the run ended FAILED), so no job stays "running" forever. Workers wait in the local
training queue (services.training.slots) while the run is SCHEDULED ("queued"). A job whose
job.json cannot be read is listed as an "unreadable record" with the path and the reason; its
worker is still found by worker.pid.
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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from services import config, processes, tracking
from services.backends.base import JobInfo, JobSpec, LogChunk
from services.errors import JobError, StudioError
from services.params import wire_value
from services.status import JobStatus
from services.training import inputs, job_record, slots, status_file
from services.training.job_record import UNREADABLE_RECORD, JobRecord, UnreadableRecord
from services.training.layout import DEATH_CLAIM, JOB_FILE, LOG_FILE, PID_FILE, PROGRESS_FILE

if TYPE_CHECKING:
    from services.training.resume import ResumePoint

logger = logging.getLogger(__name__)

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


def submit_job(spec: JobSpec, resume_from: ResumePoint | None = None) -> JobInfo:
    """Record the job, open its MLflow run and start its worker; returns at once (queued).

    With `resume_from` (services.training.resume) the job continues another one from its
    checkpoint: its run is nested under that job's run, and both records name each other.
    """
    _check_spec(spec)
    job_id = _new_job_id()
    folder = config.jobs_dir() / job_id
    folder.mkdir(parents=True)
    client = tracking.local_client()
    experiment = spec.experiment_name or tracking.experiment_name(_model_name(spec.model_id))
    experiment_id = tracking.ensure_experiment(
        client, experiment, config.mlflow_artifact_root() / _model_name(experiment)
    )
    tags, run_name = {"studio.job_id": job_id}, spec.display_name or job_id
    if resume_from:
        tags.update(_resume_tags(resume_from))
        run_name += f" (resumed at step {resume_from.checkpoint.step})"
    run = client.create_run(experiment_id, run_name=run_name, tags=tags)
    run_id = run.info.run_id
    from mlflow.entities import Param  # mlflow loads where it is used, not on the page path

    params = {**{k: wire_value(v) for k, v in spec.params.items()}, **_spec_params(spec)}
    client.log_batch(run_id, params=[Param(k, v) for k, v in params.items()])
    client.update_run(run_id, status="SCHEDULED")
    status_file.write(folder, run_id, "SCHEDULED")  # before job.json: a listed job has one
    record = JobRecord(
        id=job_id,
        run_id=run_id,
        experiment_id=experiment_id,
        created_at=time.time(),
        spec=dataclasses.asdict(spec),
        model_id=spec.model_id,
        display_name=spec.display_name,
        # A resumed job trains only the steps left: the whole-run estimate would not compare.
        estimate=None if resume_from else _estimate(spec),
        inputs=_fingerprint(spec),
    )
    if resume_from:
        record.resumed_from = resume_from.record.id
        record.resumed_from_step = resume_from.checkpoint.step
        record.resume_checkpoint = resume_from.checkpoint.path
    job_record.save(folder, record)
    if resume_from:
        _link_resumed(resume_from.record.id, job_id)
    pool, ticket = slots.pool_of(record.spec), slots.ticket(record.created_at, record.id)
    slots.join(pool, ticket, folder / PID_FILE)  # in line before its worker starts
    try:
        worker = processes.start(worker_command(folder), folder / LOG_FILE)
    except OSError as error:
        slots.leave(pool, ticket)
        client.set_terminated(run_id, status="FAILED")
        status_file.write(folder, run_id, "FAILED")
        raise JobError(f"The training worker could not start: {error}") from error
    processes.write_pid_file(folder / PID_FILE, worker.pid)
    record.pid, record.pid_stamp = worker
    job_record.save(folder, record)
    logger.info("job %s started (pid %s, run %s)", job_id, worker.pid, run_id)
    return JobInfo(
        id=job_id,
        status=JobStatus.QUEUED,
        model_id=spec.model_id,
        display_name=spec.display_name,
        started_at=record.created_at,
        run_id=run_id,
    )


def _fingerprint(spec: JobSpec) -> dict:
    """What the job trains on, for a later resume to check; {} (no resume) when unreadable."""
    try:
        return inputs.fingerprint(spec)
    except (OSError, StudioError) as error:  # the worker will report the same problem
        logger.warning("job inputs not fingerprinted: %s", error)
        return {}


def _resume_tags(point: ResumePoint) -> dict[str, str]:
    return {
        "mlflow.parentRunId": point.record.run_id,  # the MLflow UI nests it under the old run
        "studio.resumed_from": point.record.id,
        "studio.resumed_from_step": str(point.checkpoint.step),
    }


def _link_resumed(old_job_id: str, new_job_id: str) -> None:
    """Name the new job in the old one's record (the old worker has ended: no other writer)."""
    folder = config.jobs_dir() / old_job_id
    old = job_record.load(folder)
    old.resumed_by = [*old.resumed_by, new_job_id]
    job_record.save(folder, old)


def _estimate(spec: JobSpec) -> dict | None:
    """The pre-flight estimate kept in the record, so the Jobs page can set it against the
    actual run; a job is submitted even when no estimate can be made."""
    from services.training.estimate import estimate_local_job

    try:
        return estimate_local_job(spec).to_dict()
    except Exception as error:  # noqa: BLE001 - an estimate never blocks a submission
        logger.warning("job estimate not made: %s", error)
        return None


def _spec_params(spec: JobSpec) -> dict[str, str]:
    return {
        "model_id": spec.model_id,
        "train_file": spec.train_file,
        "test_file": spec.test_file,
        "compute": spec.compute,
        "gpus": str(spec.gpus),
    }


def _worker_identity(folder: Path) -> tuple[int, str] | None:
    """(pid, stamp) of the job's worker: worker.pid first, which survives a corrupt job.json."""
    return processes.read_pid_file(folder / PID_FILE) or job_record.recorded_worker(folder)


def _worker_alive(folder: Path, record: JobRecord | None) -> bool:
    identity = _worker_identity(folder)
    if identity is None:
        return record is not None and time.time() - record.created_at < START_GRACE_S
    return processes.is_alive(*identity)


def _load_record(folder: Path) -> JobRecord | None:
    """The job's record, or None when it cannot be read (logged, never raised)."""
    try:
        return job_record.load(folder)
    except UnreadableRecord as error:
        logger.info("%s", error.message)  # shown as the job's error
        return None


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


def _run_state(folder: Path, record: JobRecord) -> tuple[str, float, float | None]:
    """(MLflow run status, started at, ended at): from status.json, else from MLflow."""
    recorded = status_file.read(folder, record.run_id)
    if recorded is not None:
        return recorded.status, record.created_at, recorded.ended_at
    run = tracking.local_client().get_run(record.run_id)
    started_at = (run.info.start_time or 0) / 1000 or record.created_at
    return run.info.status, started_at, run.info.end_time / 1000 if run.info.end_time else None


def _job_info(folder: Path, record: JobRecord) -> JobInfo:
    run_status, started_at, ended_at = _run_state(folder, record)
    status = tracking.job_status(run_status)
    if status.is_running and not _worker_alive(folder, record):
        # The worker died without closing its run (SIGKILL, out of memory, machine restart).
        status, ended_at = _record_death(folder, record)
    progress = _progress(folder) if status != "queued" else {}
    return JobInfo(
        id=record.id,
        status=status,
        model_id=record.model_id,
        display_name=record.display_name,
        started_at=started_at,
        ended_at=ended_at,
        step=progress.get("step"),
        total_steps=progress.get("total_steps"),
        error=_log_tail(folder) if status == "failed" else "",
        run_id=record.run_id,
        eta_seconds=progress.get("eta_seconds") if status == "running" else None,
        queue_position=_queue_position(record) if status == "queued" else None,
        resumed_from=record.resumed_from,
        resumed_from_step=record.resumed_from_step,
    )


def _queue_position(record: JobRecord) -> int | None:
    return slots.position(slots.pool_of(record.spec), slots.ticket(record.created_at, record.id))


def _record_death(folder: Path, record: JobRecord) -> tuple[JobStatus, float | None]:
    """Close the run of a worker found dead: (job status, when found); recorded exactly once.

    Whoever creates DEATH_CLAIM first writes the log line and ends the run; a look racing it
    only reports the same outcome. A run the worker closed just before it exited is left as is
    (its status.json is written again, in case the worker died before writing it).
    """
    # Read again: a cancel saves cancel_requested before it stops the worker, and the worker
    # may have closed its run as it exited.
    record = _load_record(folder) or record
    closing = "KILLED" if record.cancel_requested else "FAILED"
    client = tracking.local_client()
    run = client.get_run(record.run_id)
    if run.info.status not in ("SCHEDULED", "RUNNING"):
        ended_at = (run.info.end_time or 0) / 1000 or None
        status_file.write(folder, record.run_id, run.info.status, ended_at)
        return tracking.job_status(run.info.status), ended_at
    found_at = time.time()
    try:
        os.close(os.open(folder / DEATH_CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return tracking.job_status(closing), (folder / DEATH_CLAIM).stat().st_mtime
    if closing == "FAILED":
        identity = _worker_identity(folder)
        how = (identity and processes.exit_description(identity[0])) or "exit status unknown"
        found = datetime.fromtimestamp(found_at).isoformat(sep=" ", timespec="seconds")
        with open(folder / LOG_FILE, "a") as log:
            log.write(
                f"[{time.strftime('%H:%M:%S')}] worker exited without finishing ({how}); "
                f"found dead at {found}\n"
            )
    client.set_terminated(record.run_id, status=closing, end_time=int(found_at * 1000))
    status_file.write(folder, record.run_id, closing, found_at)
    if closing == "FAILED":
        logger.warning("job %s: worker found dead, its run ended FAILED", record.id)
    return tracking.job_status(closing), found_at


def _unreadable_job(folder: Path, error: UnreadableRecord) -> JobInfo:
    """A job whose record cannot be read: running while its worker lives, failed after."""
    alive = _worker_alive(folder, None)
    return JobInfo(
        id=folder.name,
        status=JobStatus.RUNNING if alive else JobStatus.FAILED,
        display_name=UNREADABLE_RECORD,
        started_at=_modified_at(folder / JOB_FILE),
        error=error.message,
    )


def _modified_at(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _is_mlflow_error(error: Exception) -> bool:
    # Looked up, not imported: when mlflow is not loaded, nothing of it can have raised.
    exceptions = sys.modules.get("mlflow.exceptions")
    return exceptions is not None and isinstance(error, exceptions.MlflowException)


def _look(folder: Path) -> JobInfo:
    """The job in `folder`, whatever state its record and its MLflow run are in."""
    try:
        record = job_record.load(folder)
    except UnreadableRecord as error:
        logger.info("%s", error.message)  # shown as the job's error
        return _unreadable_job(folder, error)
    try:
        return _job_info(folder, record)
    except Exception as error:
        if not _is_mlflow_error(error):
            raise
        logger.warning("job %s: its MLflow run cannot be read: %s", record.id, error)
        return JobInfo(
            id=record.id,
            status=JobStatus.FAILED,
            model_id=record.model_id,
            display_name=record.display_name,
            started_at=record.created_at,
            error=f"Its MLflow run {record.run_id} cannot be read: {error}",
            run_id=record.run_id,
        )


def get_job(job_id: str) -> JobInfo:
    return _look(_job_dir(job_id))


def list_jobs() -> list[JobInfo]:
    """Every local job, newest first; one with an unreadable record is listed as such.

    Reads files only (no MLflow) unless a job has no status.json or its worker died.
    """
    folders = [job_file.parent for job_file in config.jobs_dir().glob(f"*/{JOB_FILE}")]
    jobs = [_look(folder) for folder in folders]
    return sorted(jobs, key=lambda job: job.started_at or 0, reverse=True)


def cancel_job(job_id: str) -> None:
    """Stop the worker and its children (SIGTERM, then SIGKILL) and mark the run killed.

    Works on a queued job (its worker leaves the queue) and on a job whose record cannot be
    read (the worker is found by worker.pid; it closes its own run as killed on SIGTERM).
    """
    folder = _job_dir(job_id)
    record = _load_record(folder)
    if record is not None:
        if _job_info(folder, record).is_terminal:
            return
        record.cancel_requested = True
        job_record.save(folder, record)
    identity = _worker_identity(folder)
    was_running = identity is not None and processes.is_alive(*identity)
    if identity is not None and was_running and not processes.stop(*identity):
        raise JobError(f"Job {job_id} (pid {identity[0]}) did not stop.", "Stop it by hand.")
    if record is not None:
        _record_death(folder, record)  # ends the run killed, unless the worker did
    elif not was_running:
        return  # unreadable, and no worker left to stop
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
    if _worker_alive(folder, _load_record(folder)) and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
    return LogChunk(data.decode("utf-8", errors="replace"), {LOG_FILE: start + len(data)})


def get_metrics(job_id: str) -> dict[str, list[tuple[int, float]]]:
    """Each metric's (step, value) history from the job's MLflow run (none if unreadable)."""
    record = _load_record(_job_dir(job_id))
    if record is None:
        return {}
    own = tracking.metric_histories(tracking.local_client(), record.run_id)
    if not record.resumed_from or record.resumed_from_step is None:
        return own
    # A resumed job: the job it continues, up to the checkpoint, then its own points (its run
    # logs at the continued steps), so the chart draws one curve (services.training.resume).
    try:
        earlier = get_metrics(record.resumed_from)
    except JobError:  # the old job's folder was removed: its points are gone with it
        return own
    cut = record.resumed_from_step
    joined = {
        name: [p for p in earlier.get(name, []) if p[0] <= cut]
        + [p for p in own.get(name, []) if p[0] > cut]
        for name in sorted({*earlier, *own})
    }
    return {name: points for name, points in joined.items() if points}


def get_params(job_id: str) -> dict[str, str]:
    record = _load_record(_job_dir(job_id))
    if record is None:
        return {}
    return tracking.run_params(tracking.local_client(), record.run_id)
