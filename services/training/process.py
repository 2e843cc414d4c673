"""Detached worker processes: start one, tell whether it still runs, stop it and its children.

A worker runs in its own session (process group), so it outlives the Streamlit server or the
CLI that started it, and one signal to the group reaches torchrun's children too. A process is
identified by its pid plus its start time, so a recycled pid is never mistaken for the worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def start_detached(command: list[str], log_path: Path, env: dict[str, str]) -> int:
    """Start `command` in a new session, stdout and stderr appended to `log_path`; its pid."""
    with open(log_path, "ab") as log, open(os.devnull, "rb") as stdin:
        process = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    return process.pid


def start_time(pid: int) -> str:
    """An identity stamp of a running process (its start time in clock ticks); "" if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # Field 22 (starttime) comes after the command name, which may itself hold spaces.
    return stat.rsplit(")", 1)[1].split()[19]


def _reap(pid: int) -> None:
    """Collect the exit status if `pid` is our own child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def is_alive(pid: int | None, stamp: str = "") -> bool:
    """Whether process `pid` runs (and, given `stamp`, is the same process that had it)."""
    if not pid:
        return False
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    if sys.platform.startswith("linux"):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
        if stamp and start_time(pid) != stamp:
            return False
    return True


def stop_group(pid: int, stamp: str = "", grace_s: float = 5.0) -> bool:
    """SIGTERM the process group led by `pid`, SIGKILL it after `grace_s`; True once gone."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if not is_alive(pid, stamp):
            break
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait_s
        while is_alive(pid, stamp) and time.monotonic() < deadline:
            time.sleep(0.1)
    # Children that outlived the leader (a torchrun rank): the group id is still the pid.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    return not is_alive(pid, stamp)
