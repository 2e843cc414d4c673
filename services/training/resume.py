"""Resume a cancelled or failed local job from a checkpoint it kept, as a new linked job.

The new job is an ordinary job (its own folder, record, worker and MLflow run) whose worker
passes the old checkpoint folder to Trainer.train(resume_from_checkpoint=...): Trainer loads
the weights, the optimizer and scheduler state and the RNG state, sets the step count to the
checkpoint's global_step and skips the batches already seen in the current epoch, so with the
same data, seed and parameters the data order goes on where it stopped.

MLflow: the new job gets a new run, nested under the old one (tag mlflow.parentRunId), not
the old run reopened. A job's status is its run's status (services.training.jobs): reopening
the old run would turn a cancelled job into a running and then finished one, and its
end time, log artifact and status.json would be overwritten. The curve is continuous anyway:
the new run logs at the continued global steps, and jobs.get_metrics puts the old run's
points up to the checkpoint in front of them (services.training.jobs.get_metrics).

Refused, with the reason and what to do: a job still running or finished, a job without a
usable checkpoint (missing or corrupt files, services.training.checkpoints), and a job whose
data or base model changed since it was submitted (services.training.inputs).
"""

from __future__ import annotations

from dataclasses import dataclass

from services import config
from services.backends.base import CheckpointInfo, JobInfo, JobSpec
from services.errors import JobError
from services.training import checkpoints, inputs, job_record, jobs
from services.training.resume_offer import RESUMABLE as RESUMABLE_STATUSES


@dataclass(frozen=True)
class ResumePoint:
    """Where a new job starts: the old job's record and the checkpoint it kept."""

    record: job_record.JobRecord
    checkpoint: CheckpointInfo


def list_checkpoints(job_id: str) -> list[CheckpointInfo]:
    jobs.get_job(job_id)  # an unknown id raises JobError saying what to do
    return checkpoints.list_checkpoints(config.jobs_dir() / job_id)


def resume_step(job: JobInfo) -> int | None:
    """The step a "Resume" button offers for `job`: its newest usable checkpoint, if it may
    be resumed at all (cancelled or failed); None otherwise."""
    if job.status not in RESUMABLE_STATUSES:
        return None
    usable = [c for c in checkpoints.list_checkpoints(config.jobs_dir() / job.id) if c.usable]
    return usable[-1].step if usable else None


def resume_job(job_id: str, step: int | None = None) -> JobInfo:
    """Submit a new job that continues `job_id` from its checkpoint at `step` (None: newest)."""
    point = resume_point(job_id, step)
    return jobs.submit_job(JobSpec(**point.record.spec), resume_from=point)


def resume_point(job_id: str, step: int | None = None) -> ResumePoint:
    """The checked place to resume `job_id` from; raises JobError saying why not and what to do."""
    job = jobs.get_job(job_id)
    if job.status not in RESUMABLE_STATUSES:
        raise JobError(
            f"Job {job_id} is {job.status}: only a cancelled or failed job can be resumed.",
            "A running job goes on by itself; a finished one can be registered (Deploy page).",
        )
    folder = config.jobs_dir() / job_id
    record = job_record.load(folder)
    checkpoint = _chosen_checkpoint(job_id, checkpoints.list_checkpoints(folder), step)
    if not record.inputs:
        raise JobError(
            f"Job {job_id} has no record of what it trained on (submitted before such records, "
            "or its files could not be read then), so a resume cannot check that its data and "
            "base model are unchanged.",
            "Start a new job with the same settings (Setup page, or `python -m services train`).",
        )
    changed = inputs.changes(record.inputs, inputs.fingerprint(JobSpec(**record.spec)))
    if changed:
        raise JobError(
            f"Job {job_id} cannot be resumed: {'; '.join(changed)}.",
            "Resuming would continue on other data or another model. Start a new job instead, "
            "or put the original files back.",
        )
    return ResumePoint(record=record, checkpoint=checkpoint)


def _chosen_checkpoint(job_id: str, kept: list[CheckpointInfo], step: int | None) -> CheckpointInfo:
    usable = [c.step for c in kept if c.usable]
    others = f"Usable checkpoints: steps {', '.join(map(str, usable))}." if usable else ""
    if not kept:
        raise JobError(
            f"Job {job_id} kept no checkpoint: its checkpoints folder is missing or empty.",
            "It stopped before its first save (every eval_steps steps): start a new job.",
        )
    chosen = kept[-1] if step is None else next((c for c in kept if c.step == step), None)
    if chosen is None:
        raise JobError(
            f"Job {job_id} kept no checkpoint at step {step}.",
            others or "It kept no usable checkpoint: start a new job.",
        )
    if chosen.problem:
        raise JobError(
            f"The checkpoint of job {job_id} at step {chosen.step} is corrupt: {chosen.problem}.",
            (f"{others} Resume from one of those." if others else "Start a new job."),
        )
    return chosen
