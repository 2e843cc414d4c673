"""Child processes: the one way the studio starts, finds again and stops them.

Training and evaluation workers, endpoint servers and the background demo all start here, with
one environment (`child_env`), in their own session: they outlive the Streamlit server or the
CLI that started them, and one signal to the group reaches their own children (torchrun's
ranks). A process is known by its pid plus a stamp, its start time (psutil's create_time), so
a recycled pid is never mistaken for it, whichever process looks: the one that started it, or
another after an app restart.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import psutil

from services import config
from services.atomic_files import write_text

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EXIT_STATUS_WAIT_S = 2.0
# Two looks at one process may see start times this far apart: psutil adds the boot time, which
# the kernel moves when the clock is stepped. A recycled pid starts much later than that.
SAME_START_S = 1.0

# Children this process started, by pid: keeping the Popen object lets us read a dead child's
# exit status (subprocess would otherwise reap it silently on its next Popen).
_children: dict[int, subprocess.Popen] = {}


class ProcessRef(NamedTuple):
    """A process as recorded: its pid and its start-time stamp ("" when unknown)."""

    pid: int
    stamp: str


def child_env() -> dict[str, str]:
    """The environment of every child: ours, the hub's offline flags, this STUDIO_HOME, the
    project importable with `python -m services...`, and output unbuffered so its log shows each
    line as it happens."""
    env = {**os.environ, **config.offline_env(), "PYTHONUNBUFFERED": "1"}
    env["STUDIO_HOME"] = str(config.studio_home())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


def start(
    command: list[str],
    log_path: Path,
    *,
    private_log: bool = False,
    extra_env: dict[str, str] | None = None,
) -> ProcessRef:
    """Start `command` detached (its own session), stdout and stderr appended to `log_path`.

    `extra_env` adds to child_env() (e.g. who the child acts for in the audit log).
    `private_log` makes the log owner-only (0600), also when an older one is already there.
    Raises OSError when it cannot start.
    """
    mode = 0o600 if private_log else 0o666  # 0o666: as open() does, less the umask
    descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, mode)
    if private_log:
        os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "ab") as log:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**child_env(), **(extra_env or {})},
            start_new_session=True,
            close_fds=True,
        )
    _children[child.pid] = child
    return ProcessRef(child.pid, stamp_of(child.pid))


def stamp_of(pid: int) -> str:
    """The identity stamp of a running process (its start time); "" when it is gone."""
    try:
        return _stamp(psutil.Process(pid))
    except psutil.Error:
        return ""


def _stamp(process: psutil.Process) -> str:
    # create_time is boot time + start ticks: to the hundredth, the same whoever reads it.
    return f"{process.create_time():.2f}"


def _same_start(seen: str, recorded: str) -> bool:
    if recorded.isdigit():  # written before psutil: the start time in clock ticks since boot
        recorded = str(psutil.boot_time() + int(recorded) / os.sysconf("SC_CLK_TCK"))
    try:
        return abs(float(seen) - float(recorded)) <= SAME_START_S
    except ValueError:
        return False


def is_alive(pid: int | None, stamp: str = "") -> bool:
    """Whether process `pid` runs (and, given `stamp`, is the same process that had it)."""
    if not pid:
        return False
    _reap(pid)
    try:
        process = psutil.Process(pid)
        if stamp and not _same_start(_stamp(process), stamp):
            return False  # the pid was recycled
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # exists, owned by someone else


def stop(pid: int, stamp: str = "", grace_s: float = 5.0) -> bool:
    """SIGTERM the process group led by `pid`, SIGKILL it after `grace_s`; True once gone.

    A process that is gone, or whose pid another process now has, is left alone (True).
    """
    if not is_alive(pid, stamp):
        return True
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if not is_alive(pid, stamp):
            break
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait_s
        while is_alive(pid, stamp) and time.monotonic() < deadline:
            time.sleep(0.05)
    # Children that outlived the leader (a torchrun rank): the group id is still the pid.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    return not is_alive(pid, stamp)


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
    """Record `pid` and its stamp in `path` (atomically), for read_pid_file."""
    write_text(path, f"{pid} {stamp_of(pid)}\n")


def read_pid_file(path: Path) -> ProcessRef | None:
    """The process a pid file names; None when absent or unreadable."""
    try:
        fields = path.read_text().split()
        return ProcessRef(int(fields[0]), fields[1] if len(fields) > 1 else "")
    except (OSError, ValueError, IndexError):
        return None
