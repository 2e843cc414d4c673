"""The rows an evaluation scores: a seeded sample of the job's test split.

Each row's prompt is its conversation up to (and including) its last user turn that an
assistant reply follows; the reference is that reply. Rows without such a pair are skipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from services.evaluation.errors import EvaluationError
from services.training.conversations import read_conversations

DEFAULT_ROWS = 50
NEEDS_REPLIES = (
    "Use a test split whose conversations have a user turn followed by an assistant reply."
)
DEFAULT_SEED = 0


@dataclass(frozen=True)
class EvalRow:
    index: int  # its position among the test file's conversations (the "rows used" tag)
    prompt: list[dict]  # messages, ending with a user turn
    reference: str  # the assistant reply that followed the prompt


def split_prompt(messages: list[dict]) -> tuple[list[dict], str] | None:
    """(prompt, reference) of one conversation; None without a user turn and its reply."""
    for index in range(len(messages) - 1, 0, -1):
        if messages[index]["role"] == "assistant" and messages[index - 1]["role"] == "user":
            return messages[:index], str(messages[index]["content"])
    return None


def select_rows(test_file: str | Path | None, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED):
    """A reproducible sample of `rows` EvalRows from `test_file` (all of them when fewer)."""
    if not test_file:
        raise EvaluationError(
            "This job has no test split to evaluate on.",
            "Prepare the dataset with a test split (Dataset page, or `python -m services "
            "dataset prepare --test-fraction 0.1`) and train again.",
        )
    if rows < 1:
        raise EvaluationError(f"Rows must be at least 1 (got {rows}).", "Ask for 1 or more rows.")
    path = Path(test_file)
    if not path.is_file():
        raise EvaluationError(
            f"The job's test split {path} no longer exists.",
            "Prepare the dataset again, or evaluate a job whose data is still there.",
        )
    try:
        conversations = read_conversations(path)  # skips invalid rows; none valid raises
    except ValueError as error:
        raise EvaluationError(f"The test split cannot be read: {error}", NEEDS_REPLIES) from None
    pairs = [
        EvalRow(index, *pair)
        for index, messages in enumerate(conversations)
        if (pair := split_prompt(messages)) is not None
    ]
    if not pairs:
        raise EvaluationError(
            f"The test split {path.name} has no assistant replies to compare against.",
            NEEDS_REPLIES,
        )
    chosen = random.Random(seed).sample(range(len(pairs)), min(rows, len(pairs)))
    return [pairs[index] for index in sorted(chosen)]
