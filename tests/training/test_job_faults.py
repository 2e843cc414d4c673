"""Fault corpus for local jobs (issue 15): bad records, trainings sharing the machine, deaths.

Real worker processes on the tiny model and a real MLflow store under the test's STUDIO_HOME.
Every wait is on a state, with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services import config, processes, tracking
from services.cli import main as cli_main
from services.training import jobs
from services.training.layout import PID_FILE
from tests.training.tiny import wait_for

DEATH_LINE = "worker exited without finishing"


def _folder(job_id: str):
    return config.jobs_dir() / job_id


def _log(job_id: str) -> str:
    path = _folder(job_id) / "train.log"
    return path.read_text() if path.exists() else ""


def _pid(job_id: str) -> int:
    return processes.read_pid_file(_folder(job_id) / PID_FILE)[0]


def _run(run_id: str):
    return tracking.local_client().get_run(run_id)


def _status(job_id: str, wanted: str):
    """A predicate for wait_for: the job's info once its status is `wanted`."""
    return lambda: (job := jobs.get_job(job_id)).status == wanted and job


def _corrupt(job_id: str, text: str) -> str:
    path = _folder(job_id) / "job.json"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"id": "job-x", "run_id": ', "not valid JSON"),
        ('["a", "list"]', "a JSON list, not an object"),
        ('{"id": 7, "run_id": "r", "experiment_id": "1", "created_at": 1}', "id is 7"),
        ('{"hello": "world"}', "missing id, run_id"),
    ],
    ids=["unparseable", "list", "wrong-type", "foreign-object"],
)
def test_an_unreadable_record_is_listed_as_such_among_good_jobs(
    tiny_spec, stand_in_worker, capsys, text, reason
):
    good, bad, other = (jobs.submit_job(tiny_spec()) for _ in range(3))
    path = _corrupt(bad.id, text)

    listed = {job.id: job for job in jobs.list_jobs()}
    assert set(listed) == {good.id, bad.id, other.id}
    assert listed[good.id].display_name == "tiny-test" and listed[good.id].status == "queued"
    assert listed[bad.id].display_name == "unreadable record"
    assert listed[bad.id].status == "running"  # its worker (found by worker.pid) still runs
    assert path in listed[bad.id].error and reason in listed[bad.id].error

    assert cli_main(["jobs", "list", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[bad.id]["display_name"] == "unreadable record" and reason in rows[bad.id]["error"]
    assert cli_main(["jobs", "status", bad.id]) == 0
    assert f"unreadable record {path}" in capsys.readouterr().out
    assert jobs.get_metrics(bad.id) == {} and jobs.get_params(bad.id) == {}

    pid = _pid(bad.id)
    assert cli_main(["jobs", "cancel", bad.id, "--json"]) == 0
    assert not processes.is_alive(pid)
    assert "cancelled by the user" in _log(bad.id)
    assert jobs.get_job(bad.id).status == "failed"  # unreadable, and nothing runs any more
    for job in (good, other):
        jobs.cancel_job(job.id)


@pytest.mark.slow
def test_cancel_stops_the_training_worker_of_a_record_corrupted_after_start(tiny_spec):
    job = jobs.submit_job(tiny_spec(max_steps="100000", eval_steps="1000"))
    wait_for(lambda: "step 1/" in _log(job.id), 180, "training to start")
    pid = _pid(job.id)
    _corrupt(job.id, "{ this is not json")

    assert jobs.get_job(job.id).status == "running"
    jobs.cancel_job(job.id)

    assert not processes.is_alive(pid)
    assert _run(job.run_id).info.status == "KILLED"  # the worker closed its own run on SIGTERM
    assert "cancelled" in _log(job.id)


@pytest.mark.slow
def test_trainings_queue_one_at_a_time_in_submit_order(tiny_spec, monkeypatch):
    monkeypatch.setenv("STUDIO_TRAIN_THREADS", "1")
    first = jobs.submit_job(tiny_spec(max_steps="100000", eval_steps="1000"))
    second = jobs.submit_job(tiny_spec())
    third = jobs.submit_job(tiny_spec())

    wait_for(lambda: "step 1/" in _log(first.id), 240, "the first job to train")
    assert jobs.get_job(first.id).status == "running"
    try:
        waiting = wait_for(
            lambda: (j := jobs.get_job(third.id)).queue_position == 2 and j, 120, "third in line"
        )
    except AssertionError:  # say where each job stood (CI saw this time out once)
        for job in (first, second, third):
            print(job.id, jobs.get_job(job.id), _log(job.id)[-2000:], sep="\n")
        raise
    assert waiting.status == "queued"
    assert jobs.get_job(second.id).queue_position == 1
    assert "queued: position 1 for a cpu training slot" in _log(second.id)

    jobs.cancel_job(third.id)  # a queued job leaves the line
    assert not processes.is_alive(_pid(third.id))
    assert jobs.get_job(third.id).status == "killed"
    assert _run(third.run_id).info.status == "KILLED"
    assert jobs.get_job(second.id).status == "queued"

    jobs.cancel_job(first.id)  # frees the slot
    finished = wait_for(_status(second.id, "finished"), 240, "the second job to finish")
    assert finished.queue_position is None
    first_ended = _run(first.run_id).info.end_time
    losses = tracking.local_client().get_metric_history(second.run_id, "loss")
    assert min(m.timestamp for m in losses) >= first_ended  # it trained after the first ended
    for job in (first, second):
        assert "torch threads: 1" in _log(job.id)  # the cap, as torch.get_num_threads() reads it


def test_a_worker_killed_outright_is_recorded_dead_exactly_once(tiny_spec):
    job = jobs.submit_job(tiny_spec(max_steps="100000", eval_steps="1000"))
    wait_for(lambda: "training slot taken" in _log(job.id), 120, "the worker to take its slot")
    killed_at = time.time()
    os.killpg(_pid(job.id), signal.SIGKILL)
    wait_for(lambda: not processes.is_alive(_pid(job.id)), 30, "the worker to be gone")

    # Several looks race to find it dead: one records it, the others only report it.
    with ThreadPoolExecutor(max_workers=4) as pool:
        looks = list(pool.map(lambda _: jobs.get_job(job.id), range(4)))
    looks.append(next(j for j in jobs.list_jobs() if j.id == job.id))

    assert {look.status for look in looks} == {"failed"}
    log = _log(job.id)
    assert log.count(DEATH_LINE) == 1
    assert f"{DEATH_LINE} (killed by signal 9 (SIGKILL)); found dead at " in log
    run = _run(job.run_id)
    assert run.info.status == "FAILED"
    assert run.info.end_time >= killed_at * 1000  # when it was found dead, not when it started
    assert DEATH_LINE in jobs.get_job(job.id).error  # the end of the log, as the pages show it
