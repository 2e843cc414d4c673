"""How jobs read on screen and in the CLI: times, durations, progress (no UI code here)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from services.backends.base import JobInfo


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
