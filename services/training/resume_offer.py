"""What the Jobs page offers a stopped job: "Resume from step N", or why it cannot."""

from __future__ import annotations

from dataclasses import dataclass

from services.backends.base import CheckpointInfo, JobInfo
from services.status import JobStatus

RESUMABLE = (JobStatus.KILLED, JobStatus.FAILED)  # stopped before the end: worth continuing


@dataclass(frozen=True)
class ResumeOffer:
    step: int | None  # the newest usable checkpoint; None when there is none
    why_not: str = ""  # when step is None: what is wrong with the checkpoints kept


def may_resume(job: JobInfo) -> bool:
    """Whether `job` stopped before its end (cancelled or failed), so resuming it makes sense."""
    return job.status in RESUMABLE


def resume_offer(kept: list[CheckpointInfo]) -> ResumeOffer:
    """The step to offer among the checkpoints a job kept (oldest first)."""
    usable = [checkpoint.step for checkpoint in kept if checkpoint.usable]
    if usable:
        return ResumeOffer(usable[-1])
    broken = "; ".join(f"step {c.step}: {c.problem}" for c in kept)
    reason = f" ({broken})." if broken else ": it stopped before its first save."
    return ResumeOffer(None, "No usable checkpoint to resume from" + reason)


def resume_unsupported(backend_name: str) -> str:
    """Why a backend without checkpoints offers no resume, and what to do instead."""
    return (
        f"Resume is not available on the {backend_name} backend: its fine-tuning pipeline "
        "keeps no checkpoint to continue from. Submit the job again to train from the start."
    )
