"""Resume a cancelled local job from its checkpoint; refusals when it cannot be resumed."""

from __future__ import annotations

import dataclasses
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from services import config, tracking
from services.backends.local import LocalBackend
from services.errors import JobError
from services.training import checkpoints, jobs, resume
from tests.training.tiny import wait_for


def _record(job_id: str) -> dict:
    return json.loads((config.jobs_dir() / job_id / "job.json").read_text())


def _log(job_id: str) -> str:
    return (config.jobs_dir() / job_id / "train.log").read_text()


def _newest_usable(job_id: str) -> int | None:
    kept = [c for c in checkpoints.list_checkpoints(config.jobs_dir() / job_id) if c.usable]
    return kept[-1].step if kept else None


@pytest.mark.slow
def test_a_cancelled_job_resumes_from_its_checkpoint_and_finishes(tiny_spec):
    # Long enough that the cancel lands well before the end, whatever the speed of the CPU.
    job = jobs.submit_job(tiny_spec(max_steps="300", eval_steps="20", save_total_limit="2"))
    wait_for(lambda: _newest_usable(job.id), 180, "a first usable checkpoint")
    jobs.cancel_job(job.id)
    cancelled = jobs.get_job(job.id)
    assert cancelled.status == "killed"
    step = resume.resume_step(cancelled)
    assert step and step % 20 == 0

    resumed = LocalBackend().resume_job(job.id)

    done = wait_for(
        lambda: (info := jobs.get_job(resumed.id)).is_terminal and info, 300, "the resumed job"
    )
    assert done.status == "finished", _log(resumed.id)
    assert (done.step, done.total_steps) == (300, 300)
    assert (done.resumed_from, done.resumed_from_step) == (job.id, step)
    assert _record(job.id)["resumed_by"] == [resumed.id]
    assert f"resuming from {config.jobs_dir() / job.id}" in _log(resumed.id)

    client = tracking.local_client()
    old_run, new_run = _record(job.id)["run_id"], done.run_id
    assert client.get_run(new_run).data.tags["mlflow.parentRunId"] == old_run
    assert client.get_run(old_run).info.status == "KILLED"  # the old job stays cancelled
    own = tracking.metric_histories(client, new_run)
    assert own["loss"][0][0] == step + 1  # the step count goes on from the checkpoint
    assert all(s > step for s, _ in own["eval_loss"])  # no second eval at the start
    # The scheduler state came back: the learning rate at the first resumed step is the one
    # the cancelled run had at that step (a fresh linear schedule would start from warmup).
    before = dict(tracking.metric_histories(client, old_run, ["learning_rate"])["learning_rate"])
    if step + 1 in before:
        assert own["learning_rate"][0][1] == pytest.approx(before[step + 1])

    # One curve on the Metrics page: the cancelled run up to the checkpoint, then the new one.
    loss_steps = [s for s, _ in jobs.get_metrics(resumed.id)["loss"]]
    assert loss_steps == list(range(1, 301))


# Refusals, on jobs whose worker is a stand-in and whose checkpoints are written by hand.


def _write_checkpoint(job_id: str, step: int) -> Path:
    folder = config.jobs_dir() / job_id / "checkpoints" / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    (folder / "adapter_config.json").write_text("{}")
    save_file({"w": np.zeros((4, 4), dtype=np.float32)}, str(folder / "adapter_model.safetensors"))
    for name in ("optimizer.pt", "scheduler.pt"):
        with zipfile.ZipFile(folder / name, "w") as archive:
            archive.writestr("archive/data.pkl", b"x" * 1000)
    return folder


@pytest.fixture
def cancelled_job(tiny_spec, stand_in_worker, tmp_path):
    """A cancelled job on a model folder of its own (so a test may change it)."""
    model = shutil.copytree(tiny_spec().model_id, tmp_path / "own-model")
    job = jobs.submit_job(dataclasses.replace(tiny_spec(), model_id=str(model)))
    jobs.cancel_job(job.id)
    assert jobs.get_job(job.id).status == "killed"
    return job.id


def test_a_job_without_checkpoints_is_refused(cancelled_job):
    with pytest.raises(JobError, match="kept no checkpoint") as refused:
        resume.resume_job(cancelled_job)
    assert "start a new job" in refused.value.hint


def test_a_corrupt_checkpoint_is_refused_and_an_older_usable_one_named(cancelled_job):
    _write_checkpoint(cancelled_job, 10)
    newest = _write_checkpoint(cancelled_job, 20)
    optimizer = newest / "optimizer.pt"
    optimizer.write_bytes(optimizer.read_bytes()[:200])  # cut short, as a killed save leaves it
    kept = LocalBackend().list_checkpoints(cancelled_job)
    assert [(c.step, c.usable) for c in kept] == [(10, True), (20, False)]
    assert "optimizer.pt" in kept[1].problem

    with pytest.raises(JobError, match="step 20 is corrupt: optimizer.pt") as refused:
        resume.resume_job(cancelled_job)
    assert "steps 10" in refused.value.hint
    assert resume.resume_step(jobs.get_job(cancelled_job)) == 10


def test_a_missing_weights_file_makes_a_checkpoint_unusable(cancelled_job):
    (_write_checkpoint(cancelled_job, 10) / "adapter_model.safetensors").unlink()
    with pytest.raises(JobError, match="no weights"):
        resume.resume_job(cancelled_job, step=10)


def test_changed_data_is_refused_with_the_reason(cancelled_job):
    _write_checkpoint(cancelled_job, 10)
    train_file = Path(_record(cancelled_job)["spec"]["train_file"])
    train_file.write_text(train_file.read_text() + train_file.read_text().splitlines()[0] + "\n")
    with pytest.raises(JobError, match="the training split changed"):
        resume.resume_job(cancelled_job)


def test_a_changed_base_model_is_refused(cancelled_job):
    _write_checkpoint(cancelled_job, 10)
    model = Path(_record(cancelled_job)["spec"]["model_id"])
    (model / "config.json").write_text((model / "config.json").read_text() + "\n")
    with pytest.raises(JobError, match="the base model changed"):
        resume.resume_job(cancelled_job)


def test_a_running_job_is_not_resumed(tiny_spec, stand_in_worker):
    job = jobs.submit_job(tiny_spec())
    try:
        with pytest.raises(JobError, match="only a cancelled or failed job"):
            resume.resume_job(job.id)
    finally:
        jobs.cancel_job(job.id)


def test_unchanged_inputs_resume_as_a_linked_job(cancelled_job):
    checkpoint = _write_checkpoint(cancelled_job, 10)
    resumed = resume.resume_job(cancelled_job)
    try:
        record = _record(resumed.id)
        assert (record["resumed_from"], record["resumed_from_step"]) == (cancelled_job, 10)
        assert record["resume_checkpoint"] == str(checkpoint)
        assert record["estimate"] is None  # a whole-run estimate would not compare
        assert _record(cancelled_job)["resumed_by"] == [resumed.id]
        assert jobs.get_job(resumed.id).resumed_from == cancelled_job
    finally:
        jobs.cancel_job(resumed.id)


def test_a_job_from_before_input_records_is_refused(cancelled_job):
    _write_checkpoint(cancelled_job, 10)
    path = config.jobs_dir() / cancelled_job / "job.json"
    record = json.loads(path.read_text())
    del record["inputs"]
    path.write_text(json.dumps(record))
    with pytest.raises(JobError, match="no record of what it trained on"):
        resume.resume_job(cancelled_job)
