"""Atomic writes of JSON lines files: all split files appear together, or none changes.

Each split is written to a hidden temporary file in the target folder, then moved into place
with os.replace once every split is complete. A failure on the way, or a SIGTERM while the
temporary files are open, removes them and leaves whatever was there before untouched. A
process killed harder (SIGKILL, power loss) leaves its temporary files behind: whoever next
holds the folder's lock (`folder_lock`) removes them.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from services.errors import DatasetError

# tempfile.mkstemp(prefix=".<name>.", suffix=".tmp"): eight random characters in between.
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def is_temp_name(name: str) -> bool:
    """Whether `name` has the shape of this module's temporary files."""
    return bool(TEMP_NAME.match(name))


class SplitFiles:
    """Open temporary files, one per split; `write(split, row)` appends a JSON line."""

    def __init__(self, folder: Path, splits: Iterable[str]) -> None:
        self.folder = folder
        self.rows: dict[str, int] = {}
        self._handles: dict[str, IO[str]] = {}
        self._temps: dict[str, Path] = {}
        try:
            for split in splits:
                fd, temp = tempfile.mkstemp(prefix=f".{split}.", suffix=".tmp", dir=folder)
                self._temps[split] = Path(temp)
                self._handles[split] = os.fdopen(fd, "w", encoding="utf-8")
                self.rows[split] = 0
        except BaseException:
            self.discard()
            raise

    def write(self, split: str, row: dict) -> None:
        self._handles[split].write(json.dumps(row, ensure_ascii=False) + "\n")
        self.rows[split] += 1

    def commit(self) -> dict[str, Path]:
        """Move every complete temporary file to <split>.jsonl."""
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
        """Remove the temporary files (a no-op for those already committed)."""
        for handle in self._handles.values():
            handle.close()
        for temp in self._temps.values():
            temp.unlink(missing_ok=True)


@contextmanager
def temp_splits(folder: str | Path, splits: Iterable[str]) -> Iterator[SplitFiles]:
    """Temporary files for several splits in `folder`, removed on leaving the block; call
    `commit()` inside the block to move them into place."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with sigterm_raises():
        files = SplitFiles(folder, splits)
        try:
            yield files
        finally:
            files.discard()


@contextmanager
def atomic_splits(folder: str | Path, splits: Iterable[str]) -> Iterator[SplitFiles]:
    """Write several <split>.jsonl files in `folder`; they replace old ones only on success."""
    with temp_splits(folder, splits) as files:
        yield files
        files.commit()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises SystemExit(143), so cleanup code runs before the
    process ends (the default action kills it on the spot).

    Python runs signal handlers in the main thread only, and a handler someone else set is
    theirs: elsewhere this does nothing and the next run removes the stale files."""
    in_main = threading.current_thread() is threading.main_thread()
    if not in_main or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def on_sigterm(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[Path]:
    """Hold `folder` (created when missing) for one writer; DatasetError when another process
    holds it. Holding it, any temporary file there is a dead writer's: they are removed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise DatasetError(
                f"Another preparation is writing {folder} right now.",
                "Wait for it to finish, or prepare into another folder.",
            ) from None
        remove_stale_temps(folder)
        yield folder
    finally:
        os.close(fd)  # closing releases the lock


def remove_stale_temps(folder: Path) -> list[str]:
    """Remove the temporary files a killed writer left in `folder`; their names."""
    removed = []
    for path in folder.iterdir():
        if is_temp_name(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
