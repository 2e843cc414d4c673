"""The local training queue: how many trainings share the machine, and who goes next.

Trainings run in pools: "cpu" for CPU jobs, the compute name (e.g. "cuda:0") for GPU jobs.
Each pool has STUDIO_MAX_TRAININGS slots (default 1: one training at a time on the CPU and
one per GPU). There is no daemon: a worker waits for a slot itself, before it loads anything
heavy, and holds it for the rest of its life.

Under <STUDIO_HOME>/queue/<pool>/:
  slot-<n>.lock      a slot is taken while a worker holds an flock on it; the kernel releases
                     it when the worker dies, however it dies, so a slot is never lost
  <ticket>.waiting   a waiting job's ticket; tickets sort in submit order and only the first
                     live one may take a free slot. A ticket whose process is gone (kill -9
                     while queued) is removed by whoever sees it next.

The submitter stands the job in line before it starts the worker (join): the ticket names the
submitter ("pid stamp") and the job's worker pid file; the submitter holds the place until that
file exists, the worker from then on. Were the worker to write the ticket when it got there, a
later job's worker that started faster would find an empty line and take the slot out of turn
(seen under load: the second job trained before the first).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from services import config, processes
from services.atomic_files import write_text

LIMIT_ENV = "STUDIO_MAX_TRAININGS"
POLL_S = 0.5  # how often a waiting worker looks for a free slot
TICKET_SUFFIX = ".waiting"


def limit() -> int:
    """Trainings that may run at once in each pool (STUDIO_MAX_TRAININGS, default 1)."""
    try:
        return max(1, int(os.environ.get(LIMIT_ENV) or 1))
    except ValueError:
        return 1


def pool_of(spec: dict) -> str:
    """The pool a job's training waits in: "cpu", or its compute (one GPU, or a GPU group)."""
    if not int(spec.get("gpus") or 0):
        return "cpu"
    return re.sub(r"[^A-Za-z0-9_.:-]+", "-", str(spec.get("compute") or "gpu"))


def ticket(created_at: float, job_id: str) -> str:
    """A job's place in line: its submit time first, so names sort in submit order."""
    return f"{int(created_at * 1_000_000):020d}-{job_id}"


def _pool_dir(pool: str) -> Path:
    path = config.studio_home() / "queue" / pool
    path.mkdir(parents=True, exist_ok=True)
    return path


def join(pool: str, job_ticket: str, worker_pid_file: Path) -> None:
    """Stand a job in line as it is submitted, before its worker starts (see the docstring)."""
    path = _pool_dir(pool) / f"{job_ticket}{TICKET_SUFFIX}"
    pid = os.getpid()
    write_text(path, f"{pid} {processes.stamp_of(pid)}\n{worker_pid_file}\n")


def leave(pool: str, job_ticket: str) -> None:
    """Take a job's ticket out of the line (its worker could not start)."""
    (_pool_dir(pool) / f"{job_ticket}{TICKET_SUFFIX}").unlink(missing_ok=True)


def _holder(ticket_path: Path) -> processes.ProcessRef | None:
    """The process that holds a ticket's place: its worker once recorded, else the submitter."""
    try:
        lines = ticket_path.read_text().splitlines()
    except OSError:
        return None
    if len(lines) > 1:
        pid_file = Path(lines[1])
        if not pid_file.parent.is_dir():
            return None  # the job's folder is gone
        worker = processes.read_pid_file(pid_file)
        if worker:
            return worker
    return processes.read_pid_file(ticket_path)  # its first line: "pid stamp"


def _waiting(folder: Path) -> list[str]:
    """Tickets of live waiting jobs, first in line first; stale ones are removed."""
    tickets = []
    for path in sorted(folder.glob(f"*{TICKET_SUFFIX}")):
        holder = _holder(path)
        if holder and processes.is_alive(*holder):
            tickets.append(path.name.removesuffix(TICKET_SUFFIX))
        else:  # its worker died while waiting (tickets are written atomically: never half)
            path.unlink(missing_ok=True)
    return tickets


def position(pool: str, job_ticket: str) -> int | None:
    """1 for the next job to start, 2 behind it, ...; None when the job is not waiting."""
    tickets = _waiting(_pool_dir(pool))
    return tickets.index(job_ticket) + 1 if job_ticket in tickets else None


def _take_free_slot(folder: Path) -> int | None:
    """An open, locked slot file descriptor, or None when every slot is busy."""
    for number in range(limit()):
        fd = os.open(folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        os.set_inheritable(fd, True)  # still held after an exec into torchrun (same pid)
        return fd
    return None


def wait_for_slot(pool: str, job_ticket: str, on_wait: Callable[[int], None]) -> int:
    """Block until this process holds a slot of `pool`, in ticket order; the slot's fd.

    `on_wait(position)` is called whenever the place in line changes. Keep the fd open for as
    long as the training runs; the slot frees when it is closed or the process ends.
    """
    folder = _pool_dir(pool)
    path = folder / f"{job_ticket}{TICKET_SUFFIX}"
    if not path.exists():  # a job submitted before tickets were written at submit
        processes.write_pid_file(path, os.getpid())
    told = None
    try:
        while True:
            tickets = _waiting(folder)
            if job_ticket not in tickets:  # removed by mistake: stand in line again
                processes.write_pid_file(path, os.getpid())
                continue
            place = tickets.index(job_ticket) + 1
            if place == 1:
                fd = _take_free_slot(folder)
                if fd is not None:
                    return fd
            if place != told:
                on_wait(place)
                told = place
            time.sleep(POLL_S)
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
