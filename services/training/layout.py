"""What a local job folder holds: <jobs_dir>/<job_id>/...

job.json      the job record (services.training.job_record); written by the parent
worker.pid    the worker's pid and start-time stamp, written at start by the parent and the
              worker: cancel and status find the worker by it even when job.json is unreadable
death.claimed created by the one look that records a worker's death (exactly once)
train.log     the worker's stdout and stderr
progress.json step, total_steps, eta_seconds; rewritten by the worker after every step
status.json   the run's status (services.training.status_file), written after each change to
              the MLflow run's status, so listing jobs needs no MLflow
adapter/      the LoRA adapter (save_pretrained) and tokenizer files, when training finishes
model/        the full model instead, when the job trained without LoRA
checkpoints/  Trainer checkpoints (save_total_limit of them)
"""

from __future__ import annotations

import time

JOB_FILE = "job.json"
LOG_FILE = "train.log"
PID_FILE = "worker.pid"
DEATH_CLAIM = "death.claimed"
PROGRESS_FILE = "progress.json"
STATUS_FILE = "status.json"
ADAPTER_DIR = "adapter"
MODEL_DIR = "model"
CHECKPOINTS_DIR = "checkpoints"


def say(message: str) -> None:
    """A timestamped line in the job's log (the worker's stdout is the log file)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
