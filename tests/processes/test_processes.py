"""The process manager on real child processes: start detached, find again, guard, stop."""

from __future__ import annotations

import os
import signal
import stat
import sys
from pathlib import Path

from services import processes
from tests.training.tiny import wait_for

# A child that starts a grandchild in its own process group, prints both pids, then waits:
# what a torchrun worker does with its ranks.
PARENT_AND_CHILD = (
    "import os, subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    "print(os.getpid(), child.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def _pids(log: Path) -> list[int]:
    text = log.read_text() if log.exists() else ""
    return [int(pid) for pid in text.split()[:2]] if len(text.split()) >= 2 else []


def test_a_started_child_is_found_by_pid_and_stamp_and_stopped_with_its_group(tmp_path):
    log = tmp_path / "child.log"
    ref = processes.start([sys.executable, "-c", PARENT_AND_CHILD], log)
    pids = wait_for(lambda: _pids(log), 30, "the child to print its pids")
    assert pids[0] == ref.pid
    assert ref.stamp and processes.stamp_of(ref.pid) == ref.stamp
    assert os.getpgid(ref.pid) == ref.pid  # its own session: outlives us, stopped as a group
    assert processes.is_alive(*ref)
    assert processes.is_alive(pids[1])

    assert processes.stop(*ref, grace_s=5)

    assert not processes.is_alive(*ref)
    wait_for(lambda: not processes.is_alive(pids[1]), 10, "the grandchild to be gone")
    assert processes.exit_description(ref.pid) == "killed by signal 15 (SIGTERM)"


def test_a_recycled_pid_is_not_taken_for_the_recorded_process(tmp_path):
    ref = processes.start([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "log")
    try:
        assert processes.is_alive(ref.pid, ref.stamp)
        other_stamp = f"{float(ref.stamp) - 3600:.2f}"  # the pid's previous owner
        assert not processes.is_alive(ref.pid, other_stamp)
        assert processes.stop(ref.pid, other_stamp)  # nothing of ours to stop: left alone
        assert processes.is_alive(*ref)
    finally:
        processes.stop(*ref)
    assert not processes.is_alive(*ref)


def test_a_stamp_written_before_psutil_still_finds_its_process(tmp_path):
    """Records kept the start time in clock ticks (/proc/<pid>/stat field 22): a worker that
    runs across the upgrade is still found, and still told apart from a recycled pid."""
    ref = processes.start([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "log")
    try:
        ticks = Path(f"/proc/{ref.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        assert processes.is_alive(ref.pid, ticks)
        earlier = str(int(ticks) - 100 * os.sysconf("SC_CLK_TCK"))
        assert not processes.is_alive(ref.pid, earlier)
    finally:
        processes.stop(*ref)


def test_the_child_environment_is_the_one_recipe(tmp_path, studio_home, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    env = processes.child_env()
    assert env["PYTHONPATH"].split(os.pathsep) == [str(processes.PROJECT_ROOT), "/elsewhere"]
    assert env["STUDIO_HOME"] == str(studio_home.resolve())
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["HF_HUB_OFFLINE"] == "1"  # offline unless the user says otherwise

    log = tmp_path / "env.log"
    probe = "import os, services; print(os.environ['STUDIO_HOME'], services.__file__)"
    ref = processes.start([sys.executable, "-c", probe], log)
    wait_for(lambda: not processes.is_alive(*ref), 30, "the probe to end")
    home, package = log.read_text().split()
    assert home == str(studio_home.resolve())
    assert Path(package).parent == processes.PROJECT_ROOT / "services"
    assert processes.exit_description(ref.pid) == "exit code 0"


def test_a_private_log_is_owner_only_even_when_it_was_not(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("older lines\n")
    log.chmod(0o644)
    ref = processes.start([sys.executable, "-c", "print('new line')"], log, private_log=True)
    wait_for(lambda: not processes.is_alive(*ref), 30, "the child to end")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert log.read_text() == "older lines\nnew line\n"  # appended, not replaced


def test_pid_files_round_trip_and_a_dead_or_missing_process_is_not_alive(tmp_path):
    path = tmp_path / "worker.pid"
    processes.write_pid_file(path, os.getpid())
    assert processes.read_pid_file(path) == (os.getpid(), processes.stamp_of(os.getpid()))
    assert processes.is_alive(*processes.read_pid_file(path))
    assert processes.read_pid_file(tmp_path / "absent.pid") is None
    (tmp_path / "bad.pid").write_text("not a pid")
    assert processes.read_pid_file(tmp_path / "bad.pid") is None
    assert not processes.is_alive(None)

    command = [sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"]
    ref = processes.start(command, tmp_path / "dies.log")
    wait_for(lambda: not processes.is_alive(*ref), 30, "the child to die")
    assert processes.stamp_of(ref.pid) == ""
    assert processes.exit_description(ref.pid) == f"killed by signal 9 ({signal.SIGKILL.name})"
