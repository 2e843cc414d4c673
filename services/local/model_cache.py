"""Build a folder once and reuse it afterwards; never reuse a half-built one.

The builder writes into a temporary folder next to the target; the target appears only by
rename once the builder has finished, so an interrupted conversion is never mistaken for a
finished one. A file lock keeps two callers (the app and a training worker, say) from
building at the same time: the second waits, then reuses the result.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from services import processes
from services.errors import ModelError

log = logging.getLogger(__name__)


def ensure_built(target: Path, build: Callable[[Path], None], *, what: str) -> Path:
    """`target`, calling `build(temporary_folder)` first if it does not exist yet."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f".{target.name}.lock"):
        if target.is_dir():  # another caller built it while we waited for the lock
            return target
        # Whoever left these is gone (a live builder would hold the lock): start over.
        for stale in target.parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        temporary = target.parent / f".{target.name}.tmp-{os.getpid()}"
        log.info("building %s into %s", what, target)
        try:
            build(temporary)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        os.rename(temporary, target)
    return target


def converter(args: list[str], *, what: str, timeout_s: float) -> Callable[[Path], None]:
    """A builder running `python -m services.local.convert *args --out FOLDER` (torch there)."""

    def build(out: Path) -> None:
        env = processes.child_env()
        command = [sys.executable, "-m", "services.local.convert", *args, "--out", str(out)]
        run_converter(command, env, what=what, timeout_s=timeout_s)

    return build


def run_converter(command: list[str], env: dict, *, what: str, timeout_s: float) -> None:
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ModelError(
            f"Converting {what} took longer than {timeout_s:.0f} s and was stopped.",
            hint="Check that the machine is not out of memory, then try again.",
        ) from error
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise ModelError(
            f"Converting {what} failed (exit code {result.returncode}): {tail}",
            hint="Check that the model files are intact and that transformers and gguf "
            "are installed (pip install -r requirements.txt).",
        )


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    # flock is released by the kernel when its holder dies, so a crash never leaves it stuck.
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
