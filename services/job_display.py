"""How jobs read on screen and in the CLI: times, durations, progress (no UI code here)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.backends.base import JobInfo
from services.training.job_record import UNREADABLE_RECORD


def format_time(epoch_seconds: float | None) -> str:
    if not epoch_seconds:
        return ""
    return datetime.fromtimestamp(epoch_seconds).strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float | None) -> str:
    """0:03:25 style; "" when unknown."""
    if seconds is None or seconds < 0:
        return ""
    return str(timedelta(seconds=round(seconds)))


def duration(job: JobInfo, now: float | None = None) -> float | None:
    """Seconds from start to end, or to now while the job runs."""
    if not job.started_at:
        return None
    end = job.ended_at or (None if job.is_terminal else (now or time.time()))
    return end - job.started_at if end else None


def progress(job: JobInfo) -> tuple[float, str] | None:
    """(fraction done, "step 12/30 · 0:01:10 left") when the backend reports steps."""
    if not job.total_steps or job.step is None:
        return None
    text = f"step {job.step}/{job.total_steps}"
    if job.eta_seconds is not None and not job.is_terminal:
        text += f" · {format_duration(job.eta_seconds)} left"
    return min(job.step / job.total_steps, 1.0), text


def job_rows(jobs: list[JobInfo], now: float | None = None) -> list[dict]:
    """One table row per job, in the order a person scans them."""
    return [
        {
            "status": job.status,
            "display name": job.display_name,
            "model": job.model_id,
            "started": format_time(job.started_at),
            "duration": format_duration(duration(job, now)),
            "progress": shown[1] if (shown := progress(job)) else "",
            "id": job.id,
        }
        for job in jobs
    ]


def job_label(job: JobInfo) -> str:
    """A job as a picker shows it."""
    return f"{job.id} · {job.status} · {job.display_name}"


def resumed_line(job: JobInfo) -> str:
    """What a resumed job continues (the Jobs page's caption); "" for a job started afresh."""
    if not job.resumed_from:
        return ""
    return f"Resumed from job `{job.resumed_from}` at step {job.resumed_from_step}."


def resumed_curve_note(job: JobInfo) -> str:
    """Why a resumed job's loss curve starts with another job's (the Metrics page's caption)."""
    if not job.resumed_from:
        return ""
    return (
        f"`{job.id}` resumed `{job.resumed_from}` at step {job.resumed_from_step}: its curve is "
        "that job's up to the checkpoint, then its own (a child run in MLflow)."
    )


def runs_to_chart(
    job_ids: list[str], chosen: list[str] | None, wanted: str | None, last_seen: str | None
) -> list[str]:
    """The runs the Metrics page charts, among `job_ids` (newest first, not empty).

    Arriving (`chosen` None): the run in the URL (`wanted`), else the last one seen on another
    page, else the newest. Afterwards: the runs still chosen, with a linked run put first.
    """
    if chosen is None:
        first = wanted if wanted in job_ids else last_seen
        return [first if first in job_ids else job_ids[0]]
    kept = [job_id for job_id in chosen if job_id in job_ids]
    if wanted in job_ids and wanted not in kept:  # a link to another run
        kept.insert(0, wanted)
    return kept


def shown_status(job: JobInfo, cancel_sent: bool = False) -> str:
    """The status word a page shows. Azure answers a cancel at once and stops the job later:
    "cancel requested" until the status follows (`cancel_sent`: this session sent one)."""
    if not job.is_terminal and (job.cancel_requested or cancel_sent):
        return "cancel requested"
    return job.status


def short_model_name(model_id: str) -> str:
    """The last part of a model id or path ("SmolLM2-135M-Instruct"), "?" when empty."""
    return model_id.rstrip("/").rsplit("/", 1)[-1] or "?"


@dataclass(frozen=True)
class Notice:
    """A line a page shows above a job's log; `is_error` picks how it stands out."""

    text: str
    is_error: bool = False


def job_notices(job: JobInfo) -> list[Notice]:
    """What to say above a job's log: its place in the training queue, then why it cannot be
    read (the path and the reason: its worker can still be cancelled) or that it failed."""
    notices = []
    if job.queue_position:
        notices.append(
            Notice(
                f"Queued: position {job.queue_position} in line for a training slot. "
                "It starts when the trainings ahead of it end."
            )
        )
    if job.display_name == UNREADABLE_RECORD:
        notices.append(Notice(job.error, is_error=True))
    elif job.status == "failed" and job.error:
        notices.append(Notice("The job failed. The end of its log:", is_error=True))
    return notices
