"""What a local job folder holds: <jobs_dir>/<job_id>/...

job.json      the job record (id, model_id, run_id, spec, pid, created_at); written by the parent
train.log     the worker's stdout and stderr
progress.json step, total_steps, eta_seconds; rewritten by the worker after every step
adapter/      the LoRA adapter (save_pretrained) and tokenizer files, when training finishes
model/        the full model instead, when the job trained without LoRA
checkpoints/  Trainer checkpoints (save_total_limit of them)
"""

from __future__ import annotations

import time

JOB_FILE = "job.json"
LOG_FILE = "train.log"
PROGRESS_FILE = "progress.json"
ADAPTER_DIR = "adapter"
MODEL_DIR = "model"


def say(message: str) -> None:
    """A timestamped line in the job's log (the worker's stdout is the log file)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
