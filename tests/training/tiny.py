"""Tiny real parts for training tests: chat data and the tiny job's parameters.

The model itself is tests/tiny_model.py, shared with the serving, demo and browser tests; the
finished tiny job is tests/support (fixtures `trained_home`, `finished_job`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from tests.tiny_model import conversations, make_tiny_model  # noqa: F401 - re-exported


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def write_dataset(folder: Path, train: int = 24, test: int = 4) -> tuple[Path, Path]:
    """A prepared-dataset folder: train_sft.jsonl and test_sft.jsonl."""
    rows = conversations(train + test)
    return (
        write_jsonl(folder / "train_sft.jsonl", rows[:train]),
        write_jsonl(folder / "test_sft.jsonl", rows[train:]),
    )


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


TINY_PARAMS = {
    "max_steps": "6",
    "per_device_train_batch_size": "2",
    "learning_rate": "5e-3",
    "lr_scheduler_type": "linear",
    "apply_lora": "true",
    "lora_r": "4",
    "lora_alpha": "8",
    "lora_target_modules": "q_proj,v_proj",
    "eval_steps": "3",
    "logging_steps": "1",
    "max_seq_length": "64",
}
