"""The training queue keeps submit order even when a later job's worker starts first."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading

from services import config, processes
from services.training import slots

FIRST = slots.ticket(1_000.0, "job-first")
SECOND = slots.ticket(2_000.0, "job-second")


def _job_folder(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    return folder / "worker.pid"


def test_a_job_submitted_first_keeps_its_place_while_its_worker_is_still_starting(tmp_path):
    slots.join("cpu", FIRST, _job_folder(tmp_path, "first"))  # its worker has not started yet
    slots.join("cpu", SECOND, _job_folder(tmp_path, "second"))
    places: queue.Queue[int] = queue.Queue()
    taken: list[int] = []

    def second_worker():  # got to the line first, as a faster-starting worker does
        taken.append(slots.wait_for_slot("cpu", SECOND, places.put))

    thread = threading.Thread(target=second_worker, daemon=True)
    thread.start()
    assert places.get(timeout=30) == 2  # behind the first job, though the slot is free
    assert not taken

    # The first job's worker arrives, takes the slot and trains; then it ends.
    first_slot = slots.wait_for_slot("cpu", FIRST, lambda place: None)
    assert slots.position("cpu", FIRST) is None  # out of the line once it holds the slot
    assert thread.is_alive() and not taken  # the slot is busy now
    os.close(first_slot)
    thread.join(timeout=30)
    assert taken, "the second job did not get the slot the first one freed"
    os.close(taken[0])


def test_the_worker_holds_the_place_once_recorded_and_a_dead_one_leaves_the_line(tmp_path):
    pid_file = _job_folder(tmp_path, "first")
    slots.join("cpu", FIRST, pid_file)
    assert slots.position("cpu", FIRST) == 1  # held by the submitter (this process) meanwhile

    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    processes.write_pid_file(pid_file, int(ended.stdout))  # its worker, which died while queued
    assert slots.position("cpu", FIRST) is None
    assert not list((config.studio_home() / "queue" / "cpu").glob("*.waiting"))  # removed


def test_a_job_whose_folder_is_gone_leaves_the_line(tmp_path):
    pid_file = _job_folder(tmp_path, "first")
    slots.join("cpu", FIRST, pid_file)
    pid_file.parent.rmdir()
    assert slots.position("cpu", FIRST) is None


def test_a_worker_that_could_not_start_leaves_the_line(tmp_path):
    slots.join("cpu", FIRST, _job_folder(tmp_path, "first"))
    slots.leave("cpu", FIRST)
    assert slots.position("cpu", FIRST) is None
