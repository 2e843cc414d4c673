"""The worker's Trainer callback: MLflow metrics, progress file and readable log lines.

Trainer's own MLflow integration ends the active run when training ends, so it is off
(report_to="none") and this callback logs each Trainer log call itself, under the Trainer's
metric names (loss, learning_rate, grad_norm, epoch, eval_loss, train_loss, train_runtime...)
at the current global step. Only the main process (rank 0) logs.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient
from transformers import TrainerCallback

from services.atomic_files import write_json
from services.training.layout import PROGRESS_FILE


def write_progress(job_dir: Path, **values) -> None:
    """Replace the job's progress file atomically (readers never see half a file)."""
    write_json(job_dir / PROGRESS_FILE, values, indent=None)


def _duration(seconds: float | None) -> str:
    return "?" if seconds is None else str(timedelta(seconds=round(seconds)))


class StudioCallback(TrainerCallback):
    def __init__(self, job_dir: Path, client: MlflowClient, run_id: str) -> None:
        self.job_dir = job_dir
        self.client = client
        self.run_id = run_id
        self.first_step_at: float | None = None
        # A resumed run starts at its checkpoint's step with its tokens already counted: speed
        # and ETA count only the steps and tokens of this process.
        self.first_step = 0
        self.tokens_at_start = 0
        self.step_began = 0.0
        self.seconds_in_steps = 0.0  # forward, backward and optimizer only: no eval, no saving

    def _eta(self, state) -> float | None:
        done = state.global_step
        if self.first_step_at is None or done - self.first_step < 1:
            return None
        per_step = (time.monotonic() - self.first_step_at) / (done - self.first_step)
        return per_step * (state.max_steps - done)

    def _tokens_per_second(self, state) -> float | None:
        tokens = getattr(state, "num_input_tokens_seen", 0) - self.tokens_at_start
        seconds = self.seconds_in_steps
        return tokens / seconds if tokens and seconds > 0 else None

    def on_train_begin(self, args, state, control, **kwargs):
        self.tokens_at_start = getattr(state, "num_input_tokens_seen", 0) or 0
        if state.is_world_process_zero:
            step = state.global_step  # > 0 when resumed from a checkpoint
            write_progress(self.job_dir, step=step, total_steps=state.max_steps, eta_seconds=None)
            print(f"training: {state.max_steps} steps, from step {step}", flush=True)

    def on_step_begin(self, args, state, control, **kwargs):
        self.step_began = time.monotonic()

    def on_step_end(self, args, state, control, **kwargs):
        self.seconds_in_steps += time.monotonic() - self.step_began
        if self.first_step_at is None:
            self.first_step_at, self.first_step = time.monotonic(), state.global_step
        if state.is_world_process_zero:
            write_progress(
                self.job_dir,
                step=state.global_step,
                total_steps=state.max_steps,
                eta_seconds=self._eta(state),
                tokens_per_second=self._tokens_per_second(state),
                seconds_per_step=self.seconds_in_steps
                / max(state.global_step - self.first_step + 1, 1),
                updated_at=time.time(),
            )

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        now = int(time.time() * 1000)
        numbers = {
            key: float(value)
            for key, value in logs.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        }
        metrics = [Metric(key, value, now, state.global_step) for key, value in numbers.items()]
        self.client.log_batch(self.run_id, metrics=metrics)
        print(self._line(state, numbers), flush=True)

    def _line(self, state, numbers: dict[str, float]) -> str:
        shown = " ".join(
            f"{key}={value:.4g}"
            for key, value in numbers.items()
            if key in ("loss", "eval_loss", "learning_rate", "grad_norm", "train_loss")
        )
        speed = self._tokens_per_second(state)
        extra = f" tok/s={speed:.0f}" if speed else ""
        return (
            f"step {state.global_step}/{state.max_steps} {shown}{extra}"
            f" eta {_duration(self._eta(state))}"
        )
