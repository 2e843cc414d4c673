"""`python -m services.training.worker <job_dir>`: one LoRA fine-tuning job, start to end.

Started detached by services.training.jobs with stdout/stderr going to the job's train.log.
It trains the job's model on its conversations with transformers' Trainer + peft, logs metrics
to the job's MLflow run (created by the parent), writes progress.json, saves the adapter to
<job_dir>/adapter (or the full model to <job_dir>/model without LoRA) and logs it and the log
file as MLflow artifacts. The run ends FINISHED, FAILED or KILLED (on SIGTERM: cancel).
Before any of that it waits for a slot in the local training queue (services.training.slots),
the run still SCHEDULED, and caps torch's threads (STUDIO_TRAIN_THREADS; default: the cores
shared among the trainings allowed at once).
With gpus > 1 it re-executes itself under torchrun, one process per GPU (data parallel).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from services import processes
from services.config import offline_env
from services.training import job_record, slots, status_file
from services.training.conversations import load_conversations
from services.training.layout import LOG_FILE, PID_FILE, say
from services.training.settings import settings_from_params


class Cancelled(Exception):
    """SIGTERM arrived: the user cancelled the job."""


# Set once SIGTERM arrives. Cancelled is raised wherever the worker happens to be, and library
# code there may wrap it in an exception of its own: the flag, not the exception type, says
# whether the run was cancelled.
_sigterm_received = False


def _on_sigterm(signum, frame):
    global _sigterm_received
    _sigterm_received = True
    raise Cancelled()


def _select_devices(spec: dict) -> None:
    """Make the chosen GPU the only one visible (one-GPU jobs), before torch is imported."""
    compute = str(spec.get("compute", "cpu"))
    if int(spec.get("gpus") or 0) == 1 and compute.startswith("cuda:"):
        os.environ["CUDA_VISIBLE_DEVICES"] = compute.split(":", 1)[1]
    if int(spec.get("gpus") or 0) == 0:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""


def _relaunch_under_torchrun(job_dir: Path, gpus: int) -> None:
    """Replace this process with torchrun (same pid and process group, so cancel still works)."""
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={gpus}",
        "-m",
        "services.training.worker",
        str(job_dir),
    ]
    say(f"launching {gpus} data-parallel processes: {' '.join(command)}")
    os.execv(sys.executable, command)


def _wait_for_slot(record: job_record.JobRecord) -> None:
    """Queue for a training slot; the slot stays held (its fd open) until this process ends."""
    pool = slots.pool_of(record.spec)
    slots.wait_for_slot(
        pool,
        slots.ticket(record.created_at, record.id),
        lambda place: say(f"queued: position {place} for a {pool} training slot"),
    )
    say(f"{pool} training slot taken")


def _cap_threads() -> None:
    from services.local.threads import cap_torch_threads, cpu_cores  # imports torch

    threads = cap_torch_threads("STUDIO_TRAIN_THREADS", max(1, cpu_cores() // slots.limit()))
    say(f"torch threads: {threads}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job_dir = Path(argv[0]).resolve()
    first_process = "LOCAL_RANK" not in os.environ  # not a torchrun rank
    if first_process:
        processes.write_pid_file(job_dir / PID_FILE, os.getpid())
    record = job_record.load(job_dir)
    spec = record.spec
    os.environ.update(offline_env())
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    gpus = int(spec.get("gpus") or 0)
    is_main = int(os.environ.get("RANK", "0")) == 0
    signal.signal(signal.SIGTERM, _on_sigterm)
    say(f"worker {os.getpid()} for job {record.id} ({spec.get('display_name', '')})")

    from services import tracking

    run_id = record.run_id
    with tracking.worker_run(
        run_id, job_dir / LOG_FILE, lambda: _sigterm_received, say, owner=is_main
    ) as run:
        if first_process:
            # Cancelled in the queue: exit at once; cancel_job ends the run, which never started.
            run.close_if_cancelled = False
            _wait_for_slot(record)  # SIGTERM while waiting: Cancelled
            run.close_if_cancelled = True
            if gpus > 1:
                _relaunch_under_torchrun(job_dir, gpus)
        _select_devices(spec)
        client = tracking.local_client() if is_main else None
        if client:
            client.update_run(run_id, status="RUNNING")
            status_file.write(job_dir, run_id, "RUNNING")  # after MLflow, which holds the truth
        _cap_threads()
        settings = settings_from_params(spec.get("params") or {})
        conversations = load_conversations(
            spec, settings.eval_fraction, settings.max_eval_samples, settings.seed
        )
        say(f"data: {len(conversations[0])} training, {len(conversations[1])} evaluation rows")
        from services.training.trainer import train  # torch, transformers, peft: seconds

        output = train(
            job_dir,
            spec,
            conversations,
            client,
            run_id,
            is_main=is_main,
            resume_checkpoint=record.resume_checkpoint,
        )
        if client and output is not None:
            client.log_artifacts(run_id, str(output), artifact_path=output.name)
        say("training finished")
    if run.closed:
        status_file.write(job_dir, run_id, run.status)
    return run.code


if __name__ == "__main__":
    sys.exit(main())
