"""`python -m services jobs list|status|logs|cancel|checkpoints|resume`: follow, stop and
resume fine-tuning jobs."""

from __future__ import annotations

import time
from datetime import datetime

from services.backends import BACKEND_NAMES, create_backend, default_backend_name
from services.backends.base import JobInfo
from services.cli.output import add_json_flag, emit

FOLLOW_INTERVAL_S = 1.0


def register(subparsers) -> None:
    parser = subparsers.add_parser("jobs", help="list, follow and cancel fine-tuning jobs")
    verbs = parser.add_subparsers(dest="jobs_verb", required=True)
    for name, help_text, handler in (
        ("list", "every job, newest first", list_jobs),
        ("status", "one job's status and progress", show_status),
        ("logs", "a job's log", show_logs),
        ("cancel", "stop a job (its run is marked killed)", cancel),
        ("checkpoints", "the checkpoints a job kept (resume or register one)", show_checkpoints),
        ("resume", "continue a cancelled or failed job from a checkpoint, as a new job", resume),
    ):
        verb = verbs.add_parser(name, help=help_text)
        verb.add_argument("--backend", choices=BACKEND_NAMES, default=default_backend_name())
        if name != "list":
            verb.add_argument("job_id", metavar="ID")
        if name == "logs":
            verb.add_argument("--follow", action="store_true", help="keep printing until it ends")
        if name == "resume":
            verb.add_argument("--step", type=int, help="the checkpoint's step (default: newest)")
        add_json_flag(verb)
        verb.set_defaults(handler=handler)


def describe(job: JobInfo) -> str:
    """One line per job: id, status, progress, name."""
    progress = f" {job.step}/{job.total_steps}" if job.total_steps else ""
    if job.queue_position:
        progress += f" (queued, position {job.queue_position})"
    if job.resumed_from:
        progress += f" (resumed {job.resumed_from} at step {job.resumed_from_step})"
    started = (
        datetime.fromtimestamp(job.started_at).strftime("%Y-%m-%d %H:%M") if job.started_at else ""
    )
    return f"{job.id}  {job.status}{progress}  {started}  {job.display_name}"


def list_jobs(args) -> int:
    jobs = create_backend(args.backend).list_jobs()
    emit(jobs, as_json=args.json, text="\n".join(map(describe, jobs)) or "no jobs yet")
    return 0


def show_status(args) -> int:
    job = create_backend(args.backend).get_job(args.job_id)
    text = describe(job) + (f"\n{job.error}" if job.error else "")
    emit(job, as_json=args.json, text=text)
    return 0


def show_logs(args) -> int:
    backend = create_backend(args.backend)
    chunk = backend.read_logs(args.job_id, None)
    _print_chunk(chunk, args.json)
    while args.follow:
        ended = backend.get_job(args.job_id).is_terminal
        chunk = backend.read_logs(args.job_id, chunk.offsets)
        _print_chunk(chunk, args.json)
        if ended:  # read once more after the end, so the last lines are not lost
            break
        time.sleep(FOLLOW_INTERVAL_S)
    return 0


def _print_chunk(chunk, as_json: bool) -> None:
    if as_json:
        emit({"text": chunk.text, "offsets": chunk.offsets}, as_json=True)
    elif chunk.text:
        print(chunk.text, end="", flush=True)


def cancel(args) -> int:
    backend = create_backend(args.backend)
    backend.cancel_job(args.job_id)
    job = backend.get_job(args.job_id)
    emit(job, as_json=args.json, text=describe(job))
    return 0


def show_checkpoints(args) -> int:
    kept = create_backend(args.backend).list_checkpoints(args.job_id)
    lines = [f"step {c.step}  {c.problem or 'usable'}  {c.path}" for c in kept]
    emit(kept, as_json=args.json, text="\n".join(lines) or "no checkpoint kept")
    return 0


def resume(args) -> int:
    job = create_backend(args.backend).resume_job(args.job_id, args.step)
    emit(
        job,
        as_json=args.json,
        text=f"{describe(job)}\nfollow it: python -m services jobs logs {job.id} --follow",
    )
    return 0
