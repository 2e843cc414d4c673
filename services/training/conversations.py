"""Reading the job's conversation files (no heavy imports, so bad data fails in seconds)."""

from __future__ import annotations

import json
import random
from pathlib import Path


def read_conversations(path: str | Path) -> list[list[dict]]:
    """The `messages` of every row of a .jsonl file.

    Raises ValueError naming the first line that is not a JSON object with a messages list.
    """
    conversations = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}: line {number} is not JSON ({error.msg})") from None
            messages = row.get("messages") if isinstance(row, dict) else None
            if not isinstance(messages, list) or not messages:
                raise ValueError(f"{path}: line {number} has no 'messages' list")
            conversations.append([{"role": m["role"], "content": m["content"]} for m in messages])
    if not conversations:
        raise ValueError(f"{path} holds no conversations")
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
