"""Validate every row of a dataset and compute its statistics, in one streaming pass.

Validation, turns, characters and tokens cover every row. Tokens are counted in helper
threads (services/data/tokens.py; the tokenizer and the word split release the GIL) while
this thread reads and validates the next rows. Parquet batches are checked in Arrow
(services/data/columns.py); other files row by row in Python.
"""

from __future__ import annotations

import os
import random
import statistics
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from services.data.files import DatasetFile, ParquetDataset, open_dataset
from services.data.tokens import Texts, TokenCounter
from services.data.validation import InvalidRow, validate_row
from services.percentile import percentile

TOKEN_BATCH = 2048  # conversations per tokenizer call: big enough to use its threads
TOKEN_SAMPLE = 0  # rows to count tokens on by default; 0: every row
# Counting threads: the word split releases the GIL, so counting uses every core.
TOKEN_THREADS = max(2, os.cpu_count() or 2)
IN_FLIGHT = TOKEN_THREADS + 1  # token batches queued at once: bounds the memory they hold


@dataclass(frozen=True)
class DatasetStats:
    """Per-conversation figures of the valid rows (turns = messages other than system)."""

    turns: tuple[int, ...] = field(repr=False)
    chars: tuple[int, ...] = field(repr=False)
    tokens: tuple[int, ...] = field(repr=False)
    tokens_approximate: bool = True
    tokenizer: str = "estimate"
    tokens_sampled: bool = False  # tokens were counted on a random sample of the rows

    @property
    def conversations(self) -> int:
        return len(self.turns)

    def share_longer_than(self, max_seq_length: int) -> float:
        """Share of conversations with more tokens than `max_seq_length` (they get truncated)."""
        if not self.tokens:
            return 0.0
        return sum(1 for count in self.tokens if count > max_seq_length) / len(self.tokens)

    def summary(self, max_seq_length: int) -> dict:
        return {
            "conversations": self.conversations,
            "turns": _describe(self.turns),
            "chars": _describe(self.chars),
            "tokens": _describe(self.tokens),
            "tokens_approximate": self.tokens_approximate,
            "tokenizer": self.tokenizer,
            "tokens_counted": len(self.tokens),
            "tokens_sampled": self.tokens_sampled,
            "max_seq_length": max_seq_length,
            "share_longer_than_max_seq_length": round(self.share_longer_than(max_seq_length), 4),
        }


@dataclass(frozen=True)
class DatasetReport:
    """The outcome of checking every row: counts, the invalid rows, and statistics."""

    path: str
    format: str
    rows: int
    invalid: tuple[InvalidRow, ...]
    stats: DatasetStats

    @property
    def valid(self) -> int:
        return self.rows - len(self.invalid)

    def to_dict(self, max_seq_length: int) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "rows": self.rows,
            "valid": self.valid,
            "invalid_count": len(self.invalid),
            "invalid": [{"line": r.line, "reason": r.reason, "code": r.code} for r in self.invalid],
            "stats": self.stats.summary(max_seq_length),
        }


def inspect_dataset(
    source: str | Path | DatasetFile,
    counter: TokenCounter | None = None,
    *,
    token_sample: int | None = None,
) -> DatasetReport:
    """Check every row; DatasetError when the file cannot be read at all.

    Tokens are counted on every valid row, or on `token_sample` random rows when set and the
    file has more (a real tokenizer only: the estimate is cheap).
    """
    dataset = source if isinstance(source, DatasetFile) else open_dataset(source)
    counter = counter or TokenCounter.estimate()
    sample_size = token_sample or 0
    sampled = not counter.approximate and bool(sample_size) and dataset.row_count > sample_size
    counted = None
    if sampled:
        counted = np.zeros(dataset.row_count, dtype=bool)
        counted[random.Random(0).sample(range(dataset.row_count), sample_size)] = True
    tally = _Tally(counter, counted)
    try:
        if isinstance(dataset, ParquetDataset):
            _parquet_pass(dataset, tally)
        else:
            for line, value, error in dataset.iter_rows():
                tally.add_row(line, value, error)
        tokens = tally.finish()
    finally:
        tally.close()
    stats = DatasetStats(
        tuple(tally.turns), tuple(tally.chars), tokens, counter.approximate, counter.name, sampled
    )
    return DatasetReport(str(dataset.path), dataset.format, tally.rows, tuple(tally.invalid), stats)


def _parquet_pass(dataset: ParquetDataset, tally: _Tally) -> None:
    from services.data.columns import check_batch

    # Validity and statistics depend on `messages` only: other columns are not decoded.
    names = dataset.reader.schema_arrow.names
    for batch in dataset.iter_batches(columns=["messages"] if "messages" in names else None):
        first = tally.rows
        checked = check_batch(batch)
        if checked is not None and checked.proven.all():
            tally.add_proven(checked)
            continue
        values = batch.to_pylist()
        rows = [validate_row(first + i + 1, value) for i, value in enumerate(values)]
        if checked is None or any(
            problem is None
            for (_, problem), proven in zip(rows, checked.proven, strict=True)
            if not proven
        ):  # Python accepts a row Arrow could not prove: Python's figures for the whole batch
            for i, value in enumerate(values):
                tally.add_row(first + i + 1, value, None)
        else:  # Arrow's figures for the valid rows, Python's reasons for the others
            tally.add_proven(checked)
            tally.invalid += [problem for _, problem in rows if problem is not None]


class _Tally:
    """The pass's running figures; token batches go to helper threads, at most IN_FLIGHT."""

    def __init__(self, counter: TokenCounter, counted: np.ndarray | None) -> None:
        self.counter, self.counted = counter, counted
        self.rows = 0
        self.invalid: list[InvalidRow] = []
        self.turns: list[int] = []
        self.chars: list[int] = []
        self._texts: list[str] = []
        self._messages: list[int] = []
        self._queued: deque[Future] = deque()
        self._done: list[int] = []
        self._pool = ThreadPoolExecutor(TOKEN_THREADS, thread_name_prefix="token-count")

    def add_row(self, line: int, value: object, error: str | None) -> None:
        self.rows += 1
        if error is not None:
            self.invalid.append(InvalidRow(line, error, "not_json"))
            return
        row, problem = validate_row(line, value)
        if problem is not None or row is None:
            self.invalid.append(problem)  # type: ignore[arg-type]
            return
        messages = row["messages"]
        self.turns.append(sum(1 for m in messages if m["role"] != "system"))
        self.chars.append(sum(len(m["content"]) for m in messages))
        if self.counted is None or self.counted[self.rows - 1]:
            self._texts += [m["content"] for m in messages]
            self._messages.append(len(messages))
            if len(self._messages) >= TOKEN_BATCH:
                self._submit()

    def add_proven(self, checked) -> None:
        """A parquet batch whose valid rows Arrow proved (the others are counted invalid)."""
        proven = checked.proven
        self.turns += checked.turns[proven].tolist()
        self.chars += checked.chars[proven].tolist()
        count = proven.copy()
        if self.counted is not None:
            count &= self.counted[self.rows : self.rows + len(proven)]
        self.rows += len(proven)
        if count.any():  # the batch's contents stay in Arrow: one counting task of its own
            self._submit()  # rows queued before this batch keep their place
            self._queue(checked.texts(count), checked.messages[count].tolist())

    def finish(self) -> tuple[int, ...]:
        self._submit()
        while self._queued:
            self._done += self._queued.popleft().result()
        return tuple(self._done)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def _submit(self) -> None:
        if not self._messages:
            return
        self._queue(self._texts, self._messages)
        self._texts, self._messages = [], []

    def _queue(self, texts: Texts, messages: list[int]) -> None:
        while len(self._queued) >= IN_FLIGHT:  # wait for the oldest batch before queuing more
            self._done += self._queued.popleft().result()
        self._queued.append(self._pool.submit(self.counter.count_texts, texts, messages))


def _describe(values: tuple[int, ...]) -> dict:
    if not values:
        return {"min": 0, "mean": 0, "median": 0, "p95": 0, "max": 0, "total": 0}
    ordered = sorted(values)
    return {
        "min": ordered[0],
        "mean": round(statistics.fmean(ordered), 1),
        "median": ordered[len(ordered) // 2],
        "p95": percentile(ordered, 0.95),
        "max": ordered[-1],
        "total": sum(ordered),
    }
