"""A job's status.json: written with every change of its MLflow run's status, read by listings."""

from __future__ import annotations

import json

from services import config, tracking
from services.training import jobs, status_file


def _folder(job_id: str):
    return config.jobs_dir() / job_id


def _run_status(job) -> str:
    return tracking.local_client().get_run(job.run_id).info.status


def test_the_status_of_another_run_or_a_damaged_file_is_not_used(tmp_path):
    status_file.write(tmp_path, "run-a", "RUNNING")
    assert status_file.read(tmp_path, "run-a") == status_file.RunStatus("run-a", "RUNNING")
    assert status_file.read(tmp_path, "run-b") is None  # the record points at another run

    status_file.write(tmp_path, "run-a", "FINISHED")
    assert status_file.read(tmp_path, "run-a").ended_at is not None  # ended now by default

    (tmp_path / "status.json").write_text("{not json")
    assert status_file.read(tmp_path, "run-a") is None
    (tmp_path / "status.json").write_text(json.dumps(["run-a", "RUNNING"]))
    assert status_file.read(tmp_path, "run-a") is None


def test_the_finished_worker_left_the_status_mlflow_has(finished_job):
    job = jobs.get_job(finished_job)
    recorded = status_file.read(_folder(finished_job), job.run_id)
    assert recorded is not None and recorded.status == _run_status(job) == "FINISHED"
    assert job.status == "finished" and job.ended_at == recorded.ended_at


def test_a_job_without_a_status_file_is_read_from_mlflow(finished_job):
    (_folder(finished_job) / "status.json").unlink()  # a job from before status.json
    job = jobs.get_job(finished_job)
    assert job.status == "finished" and job.ended_at >= job.started_at


def test_submit_and_cancel_write_the_status_they_give_mlflow(tiny_spec, stand_in_worker):
    job = jobs.submit_job(tiny_spec())
    assert status_file.read(_folder(job.id), job.run_id).status == "SCHEDULED"
    assert jobs.get_job(job.id).status == "queued"

    jobs.cancel_job(job.id)
    assert status_file.read(_folder(job.id), job.run_id).status == _run_status(job) == "KILLED"
    assert [listed.status for listed in jobs.list_jobs()] == ["killed"]
