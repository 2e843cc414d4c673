"""Open a conversation file (.jsonl, .json, .parquet) for fast preview and full passes.

JSON lines files are indexed once (the byte offset of every line, found with numpy in
chunks) and only the sampled lines are parsed, so a preview of a 200k-row file costs one
read of the file and a few `json.loads`, with memory well under the file's size.
.json arrays and .parquet files are loaded whole (they cannot be read line by line).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.data.validation import parse_line, validate_row
from services.errors import DatasetError

CHUNK_BYTES = 16 * 1024 * 1024
SNIFF_BYTES = 8192
FORMATS = ("jsonl", "json", "parquet")
HINT = "Use a .jsonl, .json or .parquet file of chat conversations, or the demo dataset."


@dataclass(frozen=True)
class Conversation:
    """One valid row; `line` is its 1-based line (row number for .json/.parquet)."""

    line: int
    messages: list
    row: dict


# One row of a full pass: (line, parsed value or None, parse error or None).
RawRow = tuple[int, object, str | None]


class DatasetFile:
    """A readable conversation file. Use `open_dataset(path)`."""

    path: Path
    format: str

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def read_row(self, index: int) -> RawRow:
        """Row `index` (0-based, blank lines not counted)."""
        raise NotImplementedError

    def iter_rows(self) -> Iterator[RawRow]:
        raise NotImplementedError

    def sample(self, n: int, seed: int = 0) -> list[Conversation]:
        """Up to `n` valid conversations drawn at random; the same seed gives the same draw."""
        rng = random.Random(seed)
        total = self.row_count
        picked: list[Conversation] = []
        seen: set[int] = set()
        # Random draws first (cheap for any size); files with many bad rows end in a scan.
        attempts = 4 * n + 50
        while len(picked) < n and len(seen) < total and attempts > 0:
            attempts -= 1
            index = rng.randrange(total)
            if index not in seen:
                seen.add(index)
                self._keep_if_valid(index, picked)
        start = rng.randrange(total) if total else 0
        for offset in range(total):
            if len(picked) >= n:
                break
            index = (start + offset) % total
            if index not in seen:
                self._keep_if_valid(index, picked)
        return picked

    def _keep_if_valid(self, index: int, picked: list[Conversation]) -> None:
        line, value, error = self.read_row(index)
        if error is None:
            row, invalid = validate_row(line, value)
            if invalid is None and row is not None:
                picked.append(Conversation(line, row["messages"], row))


class JsonLinesFile(DatasetFile):
    format = "jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.starts, self.lengths, self.lines = _index_lines(path)

    @property
    def row_count(self) -> int:
        return len(self.starts)

    def read_row(self, index: int) -> RawRow:
        with open(self.path, "rb") as handle:
            handle.seek(int(self.starts[index]))
            raw = handle.read(int(self.lengths[index]))
        value, error = parse_line(raw)
        return int(self.lines[index]), value, error

    def iter_rows(self) -> Iterator[RawRow]:
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    value, error = parse_line(raw)
                    yield number, value, error


class InMemoryFile(DatasetFile):
    """A .json array or a .parquet table, held in memory."""

    def __init__(self, path: Path, fmt: str, rows) -> None:
        self.path, self.format, self._rows = path, fmt, rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def read_row(self, index: int) -> RawRow:
        if self.format == "parquet":
            return index + 1, self._rows.slice(index, 1).to_pylist()[0], None
        return index + 1, self._rows[index], None

    def iter_rows(self) -> Iterator[RawRow]:
        if self.format == "parquet":
            number = 0
            for batch in self._rows.to_batches(max_chunksize=1024):
                for value in batch.to_pylist():
                    number += 1
                    yield number, value, None
        else:
            for number, value in enumerate(self._rows, start=1):
                yield number, value, None


def open_dataset(path: str | Path) -> DatasetFile:
    """Open a conversation file; DatasetError when it is missing, empty, binary or not data."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DatasetError(f"{path} is not a file.", HINT)
    fmt = detect_format(path)
    if fmt == "parquet":
        dataset: DatasetFile = InMemoryFile(path, fmt, _read_parquet(path))
    elif fmt == "json":
        dataset = InMemoryFile(path, fmt, _read_json_array(path))
    else:
        dataset = JsonLinesFile(path)
    if dataset.row_count == 0:
        raise DatasetError(f"{path} is empty: it holds no conversations.", HINT)
    return dataset


def detect_format(path: Path) -> str:
    """'jsonl', 'json' (an array) or 'parquet', from the first bytes (the suffix can lie)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise DatasetError(f"Cannot read {path}: {error.strerror}.", HINT) from error
    if head.startswith(b"PAR1"):
        return "parquet"
    if b"\x00" in head:
        raise DatasetError(f"{path} is a binary file, not a conversation dataset.", HINT)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        return "json"
    return "jsonl"


def _read_json_array(path: Path) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            rows = json.load(handle)
    except (ValueError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path} is not valid JSON: {error}.", HINT) from error
    if not isinstance(rows, list):
        raise DatasetError(f"{path} holds no list of conversations.", HINT)
    return rows


def _read_parquet(path: Path):
    import pyarrow.parquet as pq  # only parquet needs pyarrow

    try:
        return pq.read_table(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise DatasetError(f"{path} is not a readable parquet file: {error}.", HINT) from error


def _index_lines(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start offset, length (without the newline) and 1-based number of each non-blank line."""
    newline_parts = []
    position = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            found = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 0x0A)
            newline_parts.append(found + position)
            position += len(chunk)
    newlines = np.concatenate(newline_parts) if newline_parts else np.empty(0, np.int64)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [position])).astype(np.int64)
    lengths = ends - starts
    keep = lengths > 0
    # Lines of a few bytes may be whitespace only ("\r", " "): look at those few directly.
    short = np.flatnonzero(keep & (lengths <= 8))
    if len(short):
        with open(path, "rb") as handle:
            for index in short:
                handle.seek(int(starts[index]))
                if not handle.read(int(lengths[index])).strip():
                    keep[index] = False
    numbers = np.arange(1, len(starts) + 1, dtype=np.int64)
    return starts[keep], lengths[keep], numbers[keep]
