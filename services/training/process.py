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

# Workers this process started, by pid: keeping the Popen object lets us read a dead child's
# exit status (subprocess would otherwise reap it silently on its next Popen).
_children: dict[int, subprocess.Popen] = {}


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
    _children[process.pid] = process
    return process.pid


def start_time(pid: int) -> str:
    """An identity stamp of a running process (its start time in clock ticks); "" if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # Field 22 (starttime) comes after the command name, which may itself hold spaces.
    return stat.rsplit(")", 1)[1].split()[19]


EXIT_STATUS_WAIT_S = 2.0


def _reap(pid: int) -> None:
    """Collect the exit status if `pid` is our own child, so it does not linger as a zombie."""
    if pid in _children:
        _children[pid].poll()
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def exit_description(pid: int | None) -> str:
    """How process `pid` ended ("killed by signal 9 (SIGKILL)", "exit code 1"), when known.

    Known only to the process that started it (its parent); "" otherwise or while it runs.
    Called once the process was found dead: another thread may be reaping it right now
    (Popen.poll() then answers None), so wait briefly for the status rather than poll.
    """
    child = _children.get(pid) if pid else None
    if child is None:
        return ""
    try:
        code = child.wait(timeout=EXIT_STATUS_WAIT_S)
    except subprocess.TimeoutExpired:
        return ""  # still running
    if code >= 0:
        return f"exit code {code}"
    try:
        return f"killed by signal {-code} ({signal.Signals(-code).name})"
    except ValueError:
        return f"killed by signal {-code}"


def write_pid_file(path: Path, pid: int) -> None:
    """Record `pid` and its start-time stamp in `path` (atomically), for is_alive and stop."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(f"{pid} {start_time(pid)}\n")
    os.replace(temporary, path)


def read_pid_file(path: Path) -> tuple[int, str] | None:
    """(pid, stamp) from a file write_pid_file wrote; None when absent or unreadable."""
    try:
        fields = path.read_text().split()
        return int(fields[0]), fields[1] if len(fields) > 1 else ""
    except (OSError, ValueError, IndexError):
        return None


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
