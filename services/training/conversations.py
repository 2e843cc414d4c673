"""Reading the job's conversation files (no heavy imports, so bad data fails in seconds)."""

from __future__ import annotations

import random
from pathlib import Path

from services.data.files import open_dataset
from services.data.validation import InvalidRow, valid_rows
from services.training.layout import say

SKIPPED_SHOWN = 5


def read_conversations(path: str | Path) -> list[list[dict]]:
    """The `messages` of every valid row of a conversation file.

    Read and validated exactly as `dataset inspect` and `dataset prepare` do (same decoder, so a
    UTF-8 BOM is fine; same rules, by line number): invalid rows are skipped and named in the
    log. Raises DatasetError when the file is unreadable, ValueError when no row is valid.
    """
    skipped: list[InvalidRow] = []
    conversations = [
        [{"role": m["role"], "content": m["content"]} for m in row["messages"]]
        for row in valid_rows(open_dataset(path).iter_rows(), skipped)
    ]
    reasons = "; ".join(f"line {row.line}: {row.reason}" for row in skipped[:SKIPPED_SHOWN])
    if not conversations:
        raise ValueError(f"{path} holds no valid conversation ({reasons})")
    if skipped:
        say(f"{path}: skipped {len(skipped)} invalid row(s) ({reasons})")
    return conversations


def split_for_eval(conversations: list, fraction: float, seed: int) -> tuple[list, list]:
    """Hold out `fraction` of the rows (at least one) for evaluation, reproducibly."""
    shuffled = conversations[:]
    random.Random(seed).shuffle(shuffled)
    held_out = max(1, round(len(shuffled) * fraction)) if len(shuffled) > 1 else 0
    return shuffled[held_out:], shuffled[:held_out]


def load_conversations(spec: dict, eval_fraction: float, max_eval: int, seed: int):
    """(train, eval) conversations of a job spec; without a test file, train gives up a share."""
    train_rows = read_conversations(spec["train_file"])
    if spec.get("test_file"):
        eval_rows = read_conversations(spec["test_file"])
    else:
        train_rows, eval_rows = split_for_eval(train_rows, eval_fraction, seed)
    return train_rows, eval_rows[:max_eval]
