"""Part 5, live logs: how late a log line reaches the Jobs page, and what tailing costs.

The Jobs page shows a running job's log in a fragment that reruns every REFRESH_S seconds
(pages/jobs.py) and calls read_logs with the offsets it got last time. Here a stand-in worker
writes time-stamped lines into a job's train.log; a reader polls read_logs on the page's
interval and, side by side, GNU `tail -F` follows the same file. Then the cost of the read
path on a 100 MB log: the first view (no offsets) and each refresh after it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import ROOT, Figure, PartResult, child_env, median, run_child
from bench.context import Context
from services.percentile import percentile

PART = "logs"
LINES = 16  # lines the stand-in worker writes for the delay measurement
BIG_LOG_MB = 100
ROUNDS, LINES_PER_ROUND = 10, 200  # appends between refreshes in the cost measurement


def refresh_seconds() -> float:
    """REFRESH_S of pages/jobs.py, read from its source (importing it would run the page)."""
    tree = ast.parse((ROOT / "pages" / "jobs.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "REFRESH_S" for t in node.targets
        ):
            return float(ast.literal_eval(node.value))
    raise RuntimeError("pages/jobs.py has no REFRESH_S")


def run(context: Context) -> PartResult:
    if not shutil.which("tail"):
        from bench.common import Skipped

        raise Skipped("GNU tail is not installed")
    interval = refresh_seconds()
    ours, theirs = _delays(context, interval)
    context.progress("logs: delay measured")
    cost = _tail_cost(context)
    figures = [
        Figure(
            PART,
            "delay, line written to line returned (median)",
            "ms",
            median(ours) * 1000,
            median(theirs) * 1000,
            note=f"product: read_logs every {interval:g} s (the fragment's run_every); "
            "tail -F follows with inotify",
        ),
        Figure(
            PART,
            "delay, line written to line returned (p95)",
            "ms",
            percentile(ours, 0.95) * 1000,
            percentile(theirs, 0.95) * 1000,
            note=f"{len(ours)} lines written at irregular times",
        ),
        *cost,
    ]
    intro = (
        f"Delay: {LINES} lines, one run, both readers on the same file at once. Cost: the "
        f"product's read path in a child process on a {BIG_LOG_MB} MB log, then {ROUNDS} "
        f"refreshes each after {LINES_PER_ROUND} new lines; baseline GNU tail on the same file."
    )
    notes = [
        f"The page's delay is bounded by its refresh interval ({interval:g} s): on average "
        "half of it, at worst all of it, plus the read itself (milliseconds). No target was "
        "set; tail -F is immediate because inotify wakes it on each write.",
        "Opening the view reads the whole log: read_logs with no offsets reads and decodes "
        f"every byte (services/training/jobs.py), then the page keeps the last 20,000 "
        f"characters (pages/jobs.py LOG_CHARS). On a {BIG_LOG_MB} MB log that is the CPU and "
        "the extra memory above. Starting the first read near the end (e.g. the last 64 KB, "
        "from the next newline) would make it as cheap as tail -n 25; later refreshes "
        "already read only new bytes.",
    ]
    return PartResult(figures, intro, notes)


def _fake_job(context: Context, job_id: str, pid: int) -> Path:
    """A job folder read_logs accepts; `pid` plays the running worker."""
    from services.processes import stamp_of

    folder = context.home / "jobs" / job_id
    folder.mkdir(parents=True, exist_ok=True)
    record = {"id": job_id, "pid": pid, "pid_stamp": stamp_of(pid), "created_at": time.time()}
    (folder / "job.json").write_text(json.dumps(record))
    (folder / "train.log").touch()
    return folder


def _delays(context: Context, interval: float) -> tuple[list[float], list[float]]:
    from services.training.jobs import read_logs

    folder = _fake_job(context, "bench-log-delay", os.getpid())
    log = folder / "train.log"
    tail = subprocess.Popen(
        ["tail", "-n", "0", "-F", str(log)], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    theirs: list[float] = []

    def follow() -> None:
        for line in tail.stdout:
            theirs.append(time.time() - _written_at(line))

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    writer = subprocess.Popen(
        [sys.executable, "-m", "bench.children.log_writer", str(log), str(LINES)],
        cwd=ROOT,
        env=child_env(),
    )
    ours: list[float] = []
    offsets = None
    while True:
        running = writer.poll() is None
        chunk = read_logs("bench-log-delay", offsets)
        offsets = chunk.offsets
        now = time.time()
        ours += [now - _written_at(line) for line in chunk.text.splitlines()]
        if not running:
            break
        time.sleep(interval)  # the fragment's run_every
    time.sleep(0.5)  # tail -F has long since printed the last line; let the thread read it
    tail.terminate()
    tail.wait(timeout=10)
    follower.join(timeout=5)
    return ours, theirs


def _written_at(line: str) -> float:
    match = re.search(r"written_at=([0-9.]+)", line)
    return float(match.group(1)) if match else time.time()


def _tail_cost(context: Context) -> list[Figure]:
    job_id = "bench-log-tail"
    folder = _fake_job(context, job_id, os.getpid())
    log = folder / "train.log"
    _write_big_log(log, BIG_LOG_MB)
    ours = run_child(
        ["bench.children.log_tail", str(context.home), job_id, str(ROUNDS), str(LINES_PER_ROUND)]
    )
    first_view = [_cpu_of(["tail", "-n", "25", str(log)]) for _ in range(context.repeats)]
    follow_cpu = _tail_follow_cpu(log)
    floor = run_child(["bench.children.log_tail", str(context.home), "bench-log-delay", "0", "0"])
    return [
        Figure(
            PART,
            f"CPU to open the log view, {BIG_LOG_MB} MB log",
            "ms",
            ours.output["first_cpu_s"] * 1000,
            median(first_view) * 1000,
            note=f"product: first read_logs with no offsets (wall "
            f"{ours.output['first_wall_s']:.2f} s); baseline: tail -n 25 (whole process)",
        ),
        Figure(
            PART,
            f"CPU per refresh, {LINES_PER_ROUND} new lines",
            "ms",
            median(ours.output["poll_cpu_s"]) * 1000,
            follow_cpu * 1000,
            note="product: read_logs with offsets; baseline: tail -F CPU per batch of lines "
            "(/proc counts in 10 ms ticks: 0 means under 1 ms per batch)",
        ),
        Figure(
            PART,
            f"peak memory of the reading process, {BIG_LOG_MB} MB log",
            "MB",
            ours.peak_mb,
            floor.peak_mb,
            note="baseline here: the same process reading a 16-line log (its floor)",
        ),
    ]


def _write_big_log(path: Path, megabytes: int) -> None:
    line = b"[12:00:00] step 1234/99999 loss=1.2345 grad_norm=0.5 learning_rate=0.0002 tok/s=150\n"
    block = line * (1024 * 1024 // len(line))
    with open(path, "wb") as handle:
        for _ in range(megabytes):
            handle.write(block)


def _cpu_of(command: list[str]) -> float:
    """CPU seconds (user + system) of one run of `command`."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4 above
    return usage.ru_utime + usage.ru_stime


def _tail_follow_cpu(log: Path) -> float:
    """CPU seconds `tail -F` spends per batch of LINES_PER_ROUND appended lines."""
    process = subprocess.Popen(["tail", "-n", "0", "-F", str(log)], stdout=subprocess.DEVNULL)
    time.sleep(0.3)  # let it open the file and seek to the end
    for round_number in range(ROUNDS):
        with open(log, "a") as handle:
            for line in range(LINES_PER_ROUND):
                handle.write(f"step {round_number}.{line} loss=1.234 learning_rate=2e-4\n")
        time.sleep(0.1)
    time.sleep(0.3)
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    process.terminate()
    process.wait(timeout=10)
    return cpu / ROUNDS
