"""Local evaluations of a finished job: start, find again, follow, cancel, list.

An evaluation is a folder under its job's folder (services.evaluation.layout), an MLflow run in
the job's experiment (tagged with the training run, the job, the comparator and the rows) and
a detached worker process (services.evaluation.worker), started, found and stopped with the
same helpers as training workers (services.processes). Everything is read back from
disk and MLflow, so a page refresh or an app restart finds a running evaluation again.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from services import config, processes, tracking
from services.evaluation import comparators
from services.evaluation.errors import EvaluationError
from services.evaluation.layout import (
    EVALUATIONS_DIR,
    LOG_FILE,
    PROGRESS_FILE,
    RECORD_FILE,
    RESULT_FILE,
    read_json,
    write_json,
)
from services.evaluation.remote import Remote, check_chat
from services.evaluation.rows import DEFAULT_ROWS, DEFAULT_SEED, select_rows
from services.security.audit import audited
from services.security.roles import Caller, require_operator
from services.status import JobStatus
from services.training import jobs
from services.training.layout import JOB_FILE

logger = logging.getLogger(__name__)

DEFAULT_MAX_NEW_TOKENS = 128
DEFAULT_BATCH_SIZE = 8
START_GRACE_S = 30.0  # a worker has this long to get its pid recorded


@dataclass(frozen=True)
class EvaluationInfo:
    id: str
    job_id: str
    status: str  # queued, running, finished, failed, killed
    run_id: str
    rows: int
    seed: int
    max_new_tokens: int
    comparator: str = "base"
    created_at: float = 0.0
    ended_at: float | None = None
    stage: str = ""
    done: int = 0
    total: int = 0
    verdict: str = ""
    improved: bool | None = None
    scorecard: dict = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)
    error: str = ""
    checkpoint_step: int | None = None  # a kept checkpoint was scored, not the final model

    @property
    def is_terminal(self) -> bool:
        return JobStatus(self.status).is_terminal


def worker_command(folder: Path) -> list[str]:
    """How an evaluation's worker is started (tests may replace it)."""
    return [sys.executable, "-m", "services.evaluation.worker", str(folder)]


def _job_record(job_id: str) -> dict:
    jobs.get_job(job_id)  # raises JobError naming what to do for an unknown id
    return read_json(config.jobs_dir() / job_id / JOB_FILE)


def _folder(job_id: str, evaluation_id: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", evaluation_id or ""):
        raise EvaluationError(f"{evaluation_id!r} is not an evaluation id.")
    folder = config.jobs_dir() / job_id / EVALUATIONS_DIR / evaluation_id
    if not (folder / RECORD_FILE).is_file():
        raise EvaluationError(
            f"Job {job_id} has no evaluation {evaluation_id!r}.",
            f"List them with `python -m services evaluations list {job_id}`.",
        )
    return folder


def start_evaluation(subject: str, *, caller: Caller | None = None, **options) -> EvaluationInfo:
    """Start an evaluation of a finished job, or of the job a registered MODEL[:V] came from
    (options: see _start_evaluation); audited.

    `caller`: the signed-in person (None: the machine's user); a viewer is refused.
    """
    require_operator(caller, "evaluate", subject)
    with audited("evaluate", subject, backend="local") as action:
        job_id = comparators.job_of(subject)
        info = _start_evaluation(job_id, **options)
        action.resource = f"{job_id}/{info.id}"
    return info


def _start_evaluation(
    job_id: str,
    *,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    temperature: float = 0.0,
    top_p: float = 1.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    checkpoint: int | None = None,
    against: str = comparators.BASE,
    judge: Remote | None = None,
    backend=None,
) -> EvaluationInfo:
    """Check the job, its rows, the comparator and the judge, open the MLflow run, start the
    worker; returns at once. `backend` finds a comparator endpoint (default: local).

    `checkpoint`: score the checkpoint the job kept at that step (a registered checkpoint
    version) instead of its final model; the job need only have ended.
    """
    job = jobs.get_job(job_id)
    if checkpoint is not None:
        _check_checkpoint(job, checkpoint)
    elif job.status != "finished":
        raise EvaluationError(
            f"Job {job_id} is {job.status}: only a finished job can be evaluated.",
            "Wait for it to finish (Jobs page), or pick a finished job.",
        )
    record = _job_record(job_id)
    test_file = record["spec"].get("test_file", "")
    chosen = select_rows(test_file, rows, seed)  # bad input fails here, before any MLflow run
    if max_new_tokens < 1:
        raise EvaluationError("max_new_tokens must be at least 1.", "Ask for 1 or more tokens.")
    if backend is None:
        from services.backends import create_backend

        backend = create_backend("local")
    comparator = comparators.resolve(against, job_id, record["spec"]["model_id"], backend)
    if judge is not None:
        check_chat(judge, "The judge")
    evaluation_id = f"eval-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    folder = config.jobs_dir() / job_id / EVALUATIONS_DIR / evaluation_id
    folder.mkdir(parents=True)
    client = tracking.local_client()
    rows_used = ",".join(str(row.index) for row in chosen)
    run = client.create_run(
        record["experiment_id"],
        run_name=f"evaluate {record.get('display_name') or job_id}",
        tags={
            "studio.kind": "evaluation",
            "studio.job_id": job_id,
            "studio.training_run_id": record["run_id"],
            "studio.comparator": comparator.label,
            **({"studio.judge": judge.label} if judge else {}),
            "studio.test_file": test_file,
            "studio.rows": f"{len(chosen)} rows, seed {seed}",
            "studio.row_indices": rows_used[:5000],
            **({} if checkpoint is None else {"studio.checkpoint_step": str(checkpoint)}),
        },
    )
    sampling = {"max_new_tokens": max_new_tokens, "temperature": temperature, "top_p": top_p}
    client.log_batch(
        run.info.run_id,
        params=[
            _param(name, value)
            for name, value in {**sampling, "rows": len(chosen), "seed": seed}.items()
        ],
    )
    client.update_run(run.info.run_id, status="SCHEDULED")
    evaluation = {
        "id": evaluation_id,
        "job_id": job_id,
        "run_id": run.info.run_id,
        "training_run_id": record["run_id"],
        "comparator": comparator.label,
        "comparator_spec": comparator.describe(),
        "judge": judge.describe() if judge else None,
        "test_file": test_file,
        "rows": rows,
        "rows_used": len(chosen),
        "seed": seed,
        "sampling": {**sampling, "seed": seed},
        "batch_size": batch_size,
        "checkpoint_step": checkpoint,  # None: the job's final model
        "created_at": time.time(),
        "pid": None,
        "pid_stamp": "",
        "cancel_requested": False,
    }
    write_json(folder / RECORD_FILE, evaluation)
    # Keys reach the worker in its environment only: never in evaluation.json or the log.
    keys: dict[str, str] = {}
    for role, remote in (("judge", judge), ("comparator", comparator.remote)):
        keys.update(remote.key_env(role) if remote else {})
    try:
        pid, stamp = processes.start(worker_command(folder), folder / LOG_FILE, extra_env=keys)
    except OSError as error:
        client.set_tag(run.info.run_id, "studio.error", str(error))
        client.set_terminated(run.info.run_id, status="FAILED")
        raise EvaluationError(f"The evaluation worker could not start: {error}") from error
    evaluation.update(pid=pid, pid_stamp=stamp)
    write_json(folder / RECORD_FILE, evaluation)
    logger.info("evaluation %s of job %s started (pid %s)", evaluation_id, job_id, pid)
    return _info(folder, evaluation, client)


def _check_checkpoint(job, step: int) -> None:
    from services.training.checkpoints import usable_checkpoint

    if not job.is_terminal:
        raise EvaluationError(
            f"Job {job.id} is {job.status}: evaluate its checkpoints once it has ended.",
            "Wait for it to end (Jobs page), or cancel it.",
        )
    if usable_checkpoint(config.jobs_dir() / job.id, step) is None:
        raise EvaluationError(
            f"Job {job.id} kept no usable checkpoint at step {step}.",
            f"List its checkpoints with `python -m services jobs checkpoints {job.id}`.",
        )


def _param(name: str, value):
    from mlflow.entities import Param

    return Param(name, str(value))


def _worker_alive(record: dict) -> bool:
    if record.get("pid") is None:
        return time.time() - record.get("created_at", 0) < START_GRACE_S
    return processes.is_alive(record["pid"], record.get("pid_stamp", ""))


def _log_tail(folder: Path, lines: int = 15) -> str:
    path = folder / LOG_FILE
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _info(folder: Path, record: dict, client) -> EvaluationInfo:
    run = client.get_run(record["run_id"])
    status = tracking.job_status(run.info.status)
    if status.is_running and not _worker_alive(record):
        # The worker died without closing its run (SIGKILL, out of memory, machine restart).
        closing = "KILLED" if record.get("cancel_requested") else "FAILED"
        if closing == "FAILED":
            client.set_tag(record["run_id"], "studio.error", "the evaluation worker died")
        client.set_terminated(record["run_id"], status=closing)
        run = client.get_run(record["run_id"])
        status = tracking.job_status(closing)
    progress = read_json(folder / PROGRESS_FILE)
    result = read_json(folder / RESULT_FILE) if status == "finished" else {}
    scorecard = result.get("scorecard", {})
    error = ""
    if status == "failed":
        error = run.data.tags.get("studio.error") or _log_tail(folder)
    return EvaluationInfo(
        id=record["id"],
        job_id=record["job_id"],
        status=status,
        run_id=record["run_id"],
        rows=record.get("rows_used", record["rows"]),
        seed=record["seed"],
        max_new_tokens=record["sampling"]["max_new_tokens"],
        comparator=record.get("comparator", "base"),
        created_at=record.get("created_at", 0.0),
        ended_at=run.info.end_time / 1000 if run.info.end_time else None,
        stage=progress.get("stage", ""),
        done=progress.get("done", 0),
        total=progress.get("total", 0),
        verdict=scorecard.get("verdict", ""),
        improved=scorecard.get("improved"),
        scorecard=scorecard,
        examples=result.get("examples", []),
        error=error,
        checkpoint_step=record.get("checkpoint_step"),
    )


def get_evaluation(job_id: str, evaluation_id: str) -> EvaluationInfo:
    folder = _folder(job_id, evaluation_id)
    return _info(folder, read_json(folder / RECORD_FILE), tracking.local_client())


def list_evaluations(job_id: str) -> list[EvaluationInfo]:
    """The job's evaluations, newest first."""
    _job_record(job_id)
    client = tracking.local_client()
    records = [
        (read_json(path), path.parent)
        for path in (config.jobs_dir() / job_id / EVALUATIONS_DIR).glob(f"*/{RECORD_FILE}")
    ]
    records.sort(key=lambda item: item[0].get("created_at", 0), reverse=True)
    return [_info(folder, record, client) for record, folder in records if record]


def cancel_evaluation(
    job_id: str, evaluation_id: str, *, caller: Caller | None = None
) -> EvaluationInfo:
    """Stop the worker (SIGTERM, then SIGKILL) and end its run KILLED (operators only)."""
    require_operator(caller, "evaluate", f"{job_id}/{evaluation_id}")
    folder = _folder(job_id, evaluation_id)
    record = read_json(folder / RECORD_FILE)
    client = tracking.local_client()
    if _info(folder, record, client).is_terminal:
        return _info(folder, record, client)
    record["cancel_requested"] = True
    write_json(folder / RECORD_FILE, record)
    if record.get("pid") and not processes.stop(record["pid"], record.get("pid_stamp", "")):
        raise EvaluationError(
            f"Evaluation {evaluation_id} (pid {record['pid']}) did not stop.",
            "Stop the process by hand.",
        )
    if client.get_run(record["run_id"]).info.status in ("SCHEDULED", "RUNNING"):
        client.set_terminated(record["run_id"], status="KILLED")
    return _info(folder, record, client)
