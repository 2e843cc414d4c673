"""Open a conversation file (.jsonl, .json, .parquet) for fast preview and full passes.

JSON lines files are indexed once (the byte offset of every line, found with numpy in
chunks) and only the sampled lines are parsed, so a preview of a 200k-row file costs one
read of the file and a few `json.loads`, with memory well under the file's size.
.parquet files are read by row group (pyarrow.parquet.ParquetFile): opening reads the footer,
a sample reads one window of rows, a full pass streams batches; never the whole table.
.json arrays are loaded whole (they cannot be read in parts).
"""

from __future__ import annotations

import itertools
import json
import queue
import random
import threading
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.data.roots import resolve_in_roots
from services.data.validation import parse_line, validate_row
from services.errors import DatasetError
from services.security.roles import Caller

CHUNK_BYTES = 16 * 1024 * 1024
SNIFF_BYTES = 8192
WINDOW_ROWS = 4096  # parquet rows a sample draws from: a few pages, ~30 ms to decode
CACHED_WINDOWS = 4  # page reruns redraw the same seed: keep its window
BATCH_ROWS = 2048  # parquet rows per batch of a full pass (and per token-counting task)
READERS = 2  # row groups a full pass decodes at once (helper threads; this machine has 2 cores)
AHEAD = 4  # batches each reader decodes ahead of the pass
_END = object()  # a reader's last item: its row group is done
READ_BUFFER = 1024 * 1024  # parquet bytes read at a time
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
        return _draw(n, random.Random(seed), self.row_count, self.read_row)


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


class JsonArrayFile(DatasetFile):
    """A .json array, held in memory."""

    format = "json"

    def __init__(self, path: Path, rows: list) -> None:
        self.path, self._rows = path, rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def read_row(self, index: int) -> RawRow:
        return index + 1, self._rows[index], None

    def iter_rows(self) -> Iterator[RawRow]:
        for number, value in enumerate(self._rows, start=1):
            yield number, value, None


class ParquetDataset(DatasetFile):
    """A .parquet file, read by row group; row numbers count from 1 across the groups.

    A sample draws from one window: the first WINDOW_ROWS rows of one row group (seed 0: the
    first group, so the first preview reads the footer and a few pages; other seeds: a group
    the seed picks). Decoding is sequential inside a group, so a window further in would cost
    up to a whole group; files written by `datasets` have groups of up to 100 MB.
    """

    format = "parquet"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader = self._open()
        self._lock = threading.Lock()  # the page shares one object between sessions
        sizes = [self.reader.metadata.row_group(g).num_rows for g in range(self.groups)]
        self.group_starts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
        self._windows: OrderedDict[int, object] = OrderedDict()  # group -> RecordBatch

    @property
    def groups(self) -> int:
        return self.reader.metadata.num_row_groups

    @property
    def row_count(self) -> int:
        return self.reader.metadata.num_rows

    def read_row(self, index: int) -> RawRow:
        group = int(np.searchsorted(self.group_starts, index, side="right")) - 1
        offset = index - int(self.group_starts[group])
        if offset < WINDOW_ROWS:
            batch = self._window(group)
        else:  # rare: only full scans past a window's end come here
            with self._lock:
                batch = self._read(group, offset // WINDOW_ROWS)
            offset %= WINDOW_ROWS
        return index + 1, batch.slice(offset, 1).to_pylist()[0], None

    def sample(self, n: int, seed: int = 0) -> list[Conversation]:
        rng = random.Random(seed)
        first = 0 if seed == 0 else rng.randrange(self.groups)
        picked: list[Conversation] = []
        for step in range(self.groups):  # later groups only when a window lacks valid rows
            group = (first + step) % self.groups
            if self.group_starts[group + 1] == self.group_starts[group]:
                continue  # an empty row group
            window, start = self._window(group), int(self.group_starts[group])

            def read(index: int, window=window, start=start) -> RawRow:
                return start + index + 1, window.slice(index, 1).to_pylist()[0], None

            picked += _draw(n - len(picked), rng, window.num_rows, read)
            if len(picked) >= n:
                break
        return picked

    def iter_batches(self, columns: list[str] | None = None) -> Iterator:
        """Record batches of up to BATCH_ROWS rows of the whole file, in order (a full pass);
        only `columns` when given. A batch does not span row groups.

        Row groups are decoded READERS at a time, each in a helper thread with a reader of
        its own, AHEAD batches ahead of the caller: pyarrow decodes without the GIL, so the
        pass uses every core while the caller checks the batches it has. Memory stays a few
        batches per reader, whatever the groups' size. Samples drawn meanwhile do not wait."""
        groups = list(range(self.groups))
        ahead: dict[int, queue.Queue] = {group: queue.Queue(AHEAD) for group in groups}
        stop = threading.Event()

        def read(group: int) -> None:
            try:
                batches = self._open().iter_batches(
                    batch_size=BATCH_ROWS, row_groups=[group], columns=columns
                )
                for batch in batches:
                    ahead[group].put(batch)  # waits while the caller is AHEAD behind
                    if stop.is_set():
                        return
                ahead[group].put(_END)
            except Exception as error:  # handed to the caller, in order
                ahead[group].put(error)

        pool = ThreadPoolExecutor(READERS, thread_name_prefix="parquet-read")
        try:
            for group in groups:  # in order: the caller drains groups in the same order
                pool.submit(read, group)
            for group in groups:
                while (item := ahead[group].get()) is not _END:
                    if isinstance(item, OSError):
                        raise DatasetError(f"{self.path} is damaged: {item}.", HINT) from item
                    if isinstance(item, Exception):
                        raise item
                    yield item
        finally:
            stop.set()
            for waiting in ahead.values():  # a reader waiting on a full queue then sees stop
                while not waiting.empty():
                    waiting.get_nowait()
            pool.shutdown(wait=False, cancel_futures=True)

    def iter_rows(self) -> Iterator[RawRow]:
        number = 0
        for batch in self.iter_batches():
            for value in batch.to_pylist():
                number += 1
                yield number, value, None

    def _open(self):
        import pyarrow.parquet as pq  # only parquet needs pyarrow

        try:
            # Read pages as they are decoded (pre_buffer and buffer_size 0 would read whole
            # column chunks): a window needs only the first pages of its group.
            return pq.ParquetFile(self.path, pre_buffer=False, buffer_size=READ_BUFFER)
        except Exception as error:  # pyarrow raises several types for a damaged file
            message = f"{self.path} is not a readable parquet file: {error}."
            raise DatasetError(message, HINT) from error

    def _window(self, group: int):
        with self._lock:
            if group in self._windows:
                self._windows.move_to_end(group)
            else:
                self._windows[group] = self._read(group, 0)
                if len(self._windows) > CACHED_WINDOWS:
                    self._windows.popitem(last=False)
            return self._windows[group]

    def _read(self, group: int, skip: int):
        """Batch number `skip` of WINDOW_ROWS rows of one row group (decodes those before)."""
        batches = self.reader.iter_batches(batch_size=WINDOW_ROWS, row_groups=[group])
        return next(itertools.islice(batches, skip, None))


def open_dataset(
    path: str | Path, *, within_roots: bool = False, caller: Caller | None = None
) -> DatasetFile:
    """Open a conversation file; DatasetError when it is missing, empty, binary or not data.

    `within_roots`: a path a user named in the app, read only under the data roots (roots.py);
    a viewer `caller` only the demo data and prepared datasets (NotAllowedError otherwise).
    """
    fenced = within_roots or caller is not None
    path = resolve_in_roots(path, caller=caller) if fenced else Path(path).expanduser()
    if not path.is_file():
        raise DatasetError(f"{path} is not a file.", HINT)
    fmt = detect_format(path)
    if fmt == "parquet":
        dataset: DatasetFile = ParquetDataset(path)
    elif fmt == "json":
        dataset = JsonArrayFile(path, _read_json_array(path))
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


def _draw(n: int, rng: random.Random, total: int, read_row) -> list[Conversation]:
    """Up to `n` valid conversations among rows 0..total-1, read with `read_row(index)`."""
    picked: list[Conversation] = []
    seen: set[int] = set()

    def keep_if_valid(index: int) -> None:
        line, value, error = read_row(index)
        if error is None:
            row, invalid = validate_row(line, value)
            if invalid is None and row is not None:
                picked.append(Conversation(line, row["messages"], row))

    # Random draws first (cheap for any size); files with many bad rows end in a scan.
    attempts = 4 * n + 50
    while len(picked) < n and len(seen) < total and attempts > 0:
        attempts -= 1
        index = rng.randrange(total)
        if index not in seen:
            seen.add(index)
            keep_if_valid(index)
    start = rng.randrange(total) if total else 0
    for offset in range(total):
        if len(picked) >= n:
            break
        index = (start + offset) % total
        if index not in seen:
            keep_if_valid(index)
    return picked


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
