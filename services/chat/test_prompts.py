""" "Try a test prompt": a random held-out conversation's first user turn.

Prepared datasets live in STUDIO_HOME/datasets/<name>/<split>.jsonl with rows
{"prompt", "prompt_id", "messages": [{"role", "content"}...]}. The guide tests with test_gen;
a dataset without it falls back to its other test split.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from services import config
from services.errors import DatasetError

TEST_SPLITS = ("test_gen", "test_sft", "test")


@dataclass(frozen=True)
class TestPrompt:
    text: str  # the first user turn
    dataset: str
    split: str
    row: int  # 0-based line number in the split file


def find_test_split(dataset_dir: Path | None = None) -> Path | None:
    """The test split of `dataset_dir`, or of the most recently prepared dataset."""
    folders = [dataset_dir] if dataset_dir else _prepared_datasets()
    for folder in folders:
        for split in TEST_SPLITS:
            path = Path(folder) / f"{split}.jsonl"
            if path.exists():
                return path
    return None


def random_test_prompt(
    dataset_dir: Path | None = None, rng: random.Random | None = None
) -> TestPrompt:
    path = find_test_split(dataset_dir)
    if path is None:
        raise DatasetError(
            "No prepared test split found.",
            "Prepare a dataset on the Dataset page (it writes test_gen.jsonl) and try again.",
        )
    rng = rng or random.Random()
    chosen: TestPrompt | None = None
    seen = 0
    with path.open(encoding="utf-8") as rows:
        for index, line in enumerate(rows):
            text = _first_user_turn(line)
            if text is None:
                continue
            seen += 1
            if rng.randrange(seen) == 0:  # reservoir sampling: one pass, any file size
                chosen = TestPrompt(text, path.parent.name, path.stem, index)
    if chosen is None:
        raise DatasetError(f"{path} has no conversation with a user turn.", "Prepare it again.")
    return chosen


def _first_user_turn(line: str) -> str | None:
    try:
        row = json.loads(line)
    except ValueError:
        return None
    for message in row.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user" and message.get("content"):
            return str(message["content"])
    return None


def _prepared_datasets() -> list[Path]:
    folders = [p for p in config.datasets_dir().iterdir() if p.is_dir()]
    return sorted(folders, key=lambda p: p.stat().st_mtime, reverse=True)
