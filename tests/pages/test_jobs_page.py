"""Jobs page (AppTest): the table, the job from the URL, its log, cancel with confirmation."""

from __future__ import annotations

import json
import os
import sys

import pytest
from streamlit.testing.v1 import AppTest

from services import config, processes
from services.backends.base import JobSpec
from services.training import jobs, slots
from tests.app_helpers import open_page
from tests.training.tiny import wait_for, write_dataset


@pytest.fixture
def sleeping_job(tmp_path, monkeypatch) -> str:
    """A queued job whose 'worker' is a sleeping process (nothing trains)."""
    monkeypatch.setattr(
        jobs,
        "worker_command",
        lambda job_dir: [sys.executable, "-c", "import time; time.sleep(120)"],
    )
    train, test = write_dataset(tmp_path / "data")
    spec = JobSpec("some/model", str(train), str(test), "cpu", 0, {"seed": "1"}, "sleeper")
    return jobs.submit_job(spec).id


@pytest.fixture
def queued_job(tmp_path) -> str:
    """A real worker waiting in the training queue: this test holds the only CPU slot."""
    slot = slots.wait_for_slot("cpu", "0-test-holds-the-slot", lambda place: None)
    train, test = write_dataset(tmp_path / "data")
    spec = JobSpec("some/model", str(train), str(test), "cpu", 0, {"seed": "1"}, "waiter")
    job_id = jobs.submit_job(spec).id
    # In line from the submit; the page test reads what the worker says once it stands there.
    log = config.jobs_dir() / job_id / "train.log"
    wait_for(lambda: "queued: position 1" in log.read_text(), 60, "the worker to queue")
    assert jobs.get_job(job_id).queue_position == 1
    yield job_id
    jobs.cancel_job(job_id)
    os.close(slot)


def open_jobs_page(job_id: str | None = None) -> AppTest:
    return open_page("jobs", query_params={"job": job_id} if job_id else None)


def test_no_jobs_says_how_to_start_one():
    at = open_jobs_page()
    assert not at.exception
    assert "No fine-tuning jobs yet" in at.info[0].value
    assert "python -m services train" in at.code[0].value


def test_finished_job_opens_from_the_url_with_its_log(finished_job):
    at = open_jobs_page(finished_job)
    assert not at.exception, at.exception
    assert at.selectbox(key="jobs_selected").value == finished_job
    table = at.dataframe[0].value
    assert list(table["id"]) == [finished_job]
    assert table["status"][0] == "finished"
    assert table["progress"][0] == "step 6/6"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Status"] == "finished"
    assert metrics["Model"] == "tiny-llama"
    log = at.code[0].value
    assert "training finished" in log and "eval_loss" in log
    assert not [b for b in at.button if b.key == "jobs_cancel"]  # nothing to cancel
    assert any("mlflow ui --backend-store-uri sqlite:///" in c.value for c in at.code)


def test_selecting_a_job_puts_it_in_the_url(finished_job, sleeping_job):
    at = open_jobs_page(finished_job)
    at.selectbox(key="jobs_selected").select(sleeping_job).run()
    assert at.query_params["job"] == sleeping_job
    assert {m.label: m.value for m in at.metric}["Status"] == "queued"
    jobs.cancel_job(sleeping_job)


def test_cancel_asks_first_then_stops_the_job(sleeping_job):
    pid = json.loads((config.jobs_dir() / sleeping_job / "job.json").read_text())["pid"]
    at = open_jobs_page(sleeping_job)
    at.button(key="jobs_cancel").click().run()
    assert "Cancel" in at.warning[0].value
    assert processes.is_alive(pid)  # asking is not doing

    at.button(key="jobs_cancel_no").click().run()
    assert not at.warning and processes.is_alive(pid)

    at.button(key="jobs_cancel").click().run()
    at.button(key="jobs_cancel_yes").click().run()
    assert not at.exception, at.exception
    assert not processes.is_alive(pid)
    assert {m.label: m.value for m in at.metric}["Status"] == "killed"
    assert "cancelled by the user" in at.code[0].value


def test_a_queued_job_shows_its_place_in_line(queued_job):
    at = open_jobs_page(queued_job)
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Status"] == "queued"
    assert "Queued: position 1 in line" in at.info[0].value
    assert "queued: position 1 for a cpu training slot" in at.code[0].value  # the worker's log


def test_an_unreadable_record_shows_path_and_reason_and_the_others_still_list(
    finished_job, sleeping_job
):
    record = config.jobs_dir() / sleeping_job / "job.json"
    record.write_text('{"id": "x", "run_id": ')
    at = open_jobs_page(sleeping_job)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["id"]) == {finished_job, sleeping_job}
    rows = dict(zip(table["id"], table["display name"], strict=True))
    assert rows[sleeping_job] == "unreadable record" and rows[finished_job] == "tiny-llama-test"
    assert f"unreadable record {record}: not valid JSON" in at.error[0].value

    at.button(key="jobs_cancel").click().run()
    at.button(key="jobs_cancel_yes").click().run()  # its worker is found by worker.pid
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Status"] == "failed"
    assert "cancelled by the user" in at.code[0].value

    for page in ("deploy", "metrics"):  # the other pages that list jobs still draw
        assert not open_page(page).exception
