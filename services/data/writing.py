"""Atomic writes of JSON lines files: all split files appear together, or none changes.

Each split is written to a temporary file in the target folder, then moved into place with
os.replace once every split is complete. A failure on the way removes the temporary files and
leaves whatever was there before untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class SplitFiles:
    """Open temporary files, one per split; `write(split, row)` appends a JSON line."""

    def __init__(self, folder: Path, splits: Iterable[str]) -> None:
        self.folder = folder
        self.rows: dict[str, int] = {}
        self._handles: dict[str, IO[str]] = {}
        self._temps: dict[str, Path] = {}
        for split in splits:
            fd, temp = tempfile.mkstemp(prefix=f".{split}.", suffix=".tmp", dir=folder)
            self._handles[split] = os.fdopen(fd, "w", encoding="utf-8")
            self._temps[split] = Path(temp)
            self.rows[split] = 0

    def write(self, split: str, row: dict) -> None:
        self._handles[split].write(json.dumps(row, ensure_ascii=False) + "\n")
        self.rows[split] += 1

    def commit(self) -> dict[str, Path]:
        for handle in self._handles.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        final = {}
        for split, temp in self._temps.items():
            target = self.folder / f"{split}.jsonl"
            os.replace(temp, target)
            final[split] = target
        return final

    def discard(self) -> None:
        for handle in self._handles.values():
            handle.close()
        for temp in self._temps.values():
            temp.unlink(missing_ok=True)


@contextmanager
def atomic_splits(folder: str | Path, splits: Iterable[str]) -> Iterator[SplitFiles]:
    """Write several <split>.jsonl files in `folder`; they replace old ones only on success."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = SplitFiles(folder, splits)
    try:
        yield files
    except BaseException:
        files.discard()
        raise
    try:
        files.commit()
    except BaseException:
        files.discard()
        raise


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to `path` through a temporary file and os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
