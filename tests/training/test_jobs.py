"""Local jobs through real worker processes and a real MLflow store under STUDIO_HOME."""

from __future__ import annotations

import json
import os
import signal

import pytest

from services import config, processes, tracking
from services.errors import JobError
from services.params import resolve_params
from services.training import job_record, jobs
from services.training.settings import settings_from_params
from tests.training.tiny import TINY_PARAMS, wait_for


def _record(job_id: str) -> dict:
    return json.loads((config.jobs_dir() / job_id / "job.json").read_text())


def _log(job_id: str) -> str:
    return (config.jobs_dir() / job_id / "train.log").read_text()


def _run_status(job_id: str) -> str:
    return tracking.local_client().get_run(_record(job_id)["run_id"]).info.status


def test_tiny_job_trains_in_a_worker_and_logs_to_mlflow(finished_job):
    job = jobs.get_job(finished_job)
    assert job.status == "finished", job.error or _log(finished_job)
    assert (job.step, job.total_steps) == (6, 6)
    assert job.ended_at >= job.started_at

    metrics = jobs.get_metrics(finished_job)
    assert [step for step, _ in metrics["loss"]] == [1, 2, 3, 4, 5, 6]
    assert {"learning_rate", "grad_norm", "epoch", "train_runtime"} <= set(metrics)
    assert [step for step, _ in metrics["eval_loss"]] == [0, 3, 6]  # eval at the start too
    assert len(metrics["train_loss"]) == 1

    params = jobs.get_params(finished_job)
    assert params["learning_rate"] == "0.005"
    assert params["max_steps"] == "6"
    assert params["apply_deepspeed"] == "false"  # the local defaults of services.params
    assert params["train_examples"] == "24"

    adapter = config.jobs_dir() / finished_job / "adapter"
    assert (adapter / "adapter_config.json").is_file()
    assert (adapter / "adapter_model.safetensors").is_file()
    assert (adapter / "tokenizer_config.json").is_file()
    client = tracking.local_client()
    artifacts = {a.path for a in client.list_artifacts(job.run_id)}
    assert artifacts == {"adapter", "logs"}
    assert "training finished" in _log(finished_job)


def test_training_uses_the_experiment_and_artifact_root_under_studio_home(finished_job):
    client = tracking.local_client()
    run = client.get_run(jobs.get_job(finished_job).run_id)
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == "chat_completion_tiny-llama"
    assert experiment.artifact_location.endswith("mlflow/artifacts/chat_completion_tiny-llama")
    assert run.info.run_name == "tiny-llama-test"


@pytest.mark.slow
def test_cancel_stops_the_worker_and_marks_the_run_killed(tiny_spec):
    job = jobs.submit_job(tiny_spec(max_steps="100000", eval_steps="1000"))
    wait_for(lambda: "step 2/" in _log(job.id), 120, "training to start")
    running = jobs.get_job(job.id)
    assert running.status == "running"
    assert running.step >= 1 and running.total_steps == 100000

    jobs.cancel_job(job.id)

    assert not processes.is_alive(_record(job.id)["pid"])
    assert jobs.get_job(job.id).status == "killed"
    assert _run_status(job.id) == "KILLED"
    assert "cancelled" in _log(job.id)  # the worker caught SIGTERM and closed its run


def test_a_worker_killed_outright_shows_failed_with_its_log(tiny_spec):
    job = jobs.submit_job(tiny_spec())
    wait_for(lambda: "worker" in _log(job.id), 60, "the worker to start")
    os.killpg(_record(job.id)["pid"], signal.SIGKILL)

    failed = wait_for(
        lambda: (info := jobs.get_job(job.id)).status == "failed" and info, 30, "failed"
    )
    assert f"worker {_record(job.id)['pid']}" in failed.error
    assert _run_status(job.id) == "FAILED"  # recorded, not only shown


def test_bad_data_fails_with_the_reason_in_the_error(tiny_spec, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("this is not json\n")
    spec = tiny_spec()
    job = jobs.submit_job(type(spec)(**{**spec.__dict__, "train_file": str(bad)}))

    failed = wait_for(
        lambda: (info := jobs.get_job(job.id)).is_terminal and info, 60, "the job to end"
    )
    assert failed.status == "failed"
    assert "line 1: not JSON" in failed.error
    assert _run_status(job.id) == "FAILED"


def test_submit_lists_the_job_at_once_as_queued(tiny_spec, stand_in_worker):
    first = jobs.submit_job(tiny_spec())
    second = jobs.submit_job(tiny_spec())
    assert [j.id for j in jobs.list_jobs()] == [second.id, first.id]
    assert jobs.get_job(first.id).status == "queued"
    assert _record(first.id)["spec"]["params"]["max_steps"] == "6"
    for job in (first, second):
        jobs.cancel_job(job.id)
    assert {j.status for j in jobs.list_jobs()} == {"killed"}


def test_the_worker_gets_typed_values_and_mlflow_the_wire_words(tiny_spec, stand_in_worker):
    typed = resolve_params(backend="local", model_name="tiny-llama", overrides=TINY_PARAMS)
    job = jobs.submit_job(tiny_spec(**typed.values))

    # What the worker reads: job.json's spec, as services/training/worker.py loads it.
    params = job_record.load(config.jobs_dir() / job.id).spec["params"]
    assert params["apply_lora"] is True and params["apply_deepspeed"] is False
    assert params["max_steps"] == 6 and params["learning_rate"] == 5e-3
    assert settings_from_params(params).apply_lora is True
    # MLflow params are an edge: the same words the Azure component takes.
    logged = jobs.get_params(job.id)
    assert (logged["apply_lora"], logged["apply_deepspeed"]) == ("true", "false")
    jobs.cancel_job(job.id)


def test_read_logs_returns_only_new_bytes_and_holds_back_a_partial_line(tiny_spec, stand_in_worker):
    job = jobs.submit_job(tiny_spec())
    log = config.jobs_dir() / job.id / "train.log"
    with open(log, "a") as file:
        file.write("line one\nline tw")

    chunk = jobs.read_logs(job.id)
    assert chunk.text == "line one\n"
    assert chunk.offsets == {"train.log": len("line one\n")}
    assert jobs.read_logs(job.id, chunk.offsets).text == ""

    with open(log, "a") as file:
        file.write("o\nline three\n")
    chunk = jobs.read_logs(job.id, chunk.offsets)
    assert chunk.text == "line two\nline three\n"

    jobs.cancel_job(job.id)  # appends a line; once the worker is gone nothing is held back
    with open(log, "a") as file:
        file.write("no newline at the end")
    rest = jobs.read_logs(job.id, chunk.offsets).text
    assert rest.startswith("[") and "cancelled by the user" in rest
    assert rest.endswith("no newline at the end")


def test_unknown_job_is_an_error_that_says_what_to_do():
    with pytest.raises(JobError) as error:
        jobs.get_job("job-does-not-exist")
    assert "jobs list" in error.value.hint
    with pytest.raises(JobError):
        jobs.read_logs("../etc")


def test_missing_training_file_is_refused(tiny_spec):
    spec = tiny_spec()
    with pytest.raises(JobError, match="does not exist"):
        jobs.submit_job(type(spec)(**{**spec.__dict__, "train_file": "/nowhere.jsonl"}))
    assert jobs.list_jobs() == []


def test_a_job_whose_mlflow_run_is_gone_is_listed_as_failed(tiny_spec, stand_in_worker):
    job = jobs.submit_job(tiny_spec())
    jobs.cancel_job(job.id)
    record = _record(job.id)
    record["run_id"] = "0" * 32
    (config.jobs_dir() / job.id / "job.json").write_text(json.dumps(record))
    (listed,) = jobs.list_jobs()
    assert listed.status == "failed" and "cannot be read" in listed.error
