"""Helpers for the dataset tests: small conversation files and a tiny real tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def chat(*turns: str, system: str | None = None) -> dict:
    """An ultrachat row with alternating user/assistant turns."""
    messages = [{"role": "system", "content": system}] if system else []
    roles = ("user", "assistant")
    messages += [{"role": roles[i % 2], "content": text} for i, text in enumerate(turns)]
    return {"messages": messages}


def write_lines(path: Path, rows: list) -> Path:
    """Write rows as JSON lines; str rows are written verbatim (for broken lines)."""
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row)) + "\n")
    return path


@pytest.fixture
def tiny_tokenizer(tmp_path) -> Path:
    """A real tokenizer.json: one token per whitespace-separated word."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, "hello": 1}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    return path
