"""Evaluations through real worker processes on the tiny model and a real MLflow store."""

from __future__ import annotations

import json

import pytest

from services import config, processes, tracking
from services.evaluation import evaluations
from services.evaluation.errors import EvaluationError
from tests.training.tiny import conversations, wait_for, write_jsonl


def _ended(job_id: str, evaluation_id: str):
    info = evaluations.get_evaluation(job_id, evaluation_id)
    return info if info.is_terminal else None


def _record(job_id: str, evaluation_id: str) -> dict:
    folder = config.jobs_dir() / job_id / "evaluations" / evaluation_id
    return json.loads((folder / "evaluation.json").read_text())


def _set_test_file(job_id: str, path) -> None:
    job_file = config.jobs_dir() / job_id / "job.json"
    record = json.loads(job_file.read_text())
    record["spec"]["test_file"] = str(path)
    job_file.write_text(json.dumps(record))


def test_evaluation_runs_in_a_worker_and_is_tracked_in_mlflow(finished_job):
    started = evaluations.start_evaluation(finished_job, rows=3, seed=1, max_new_tokens=8)
    assert started.status in ("queued", "running")

    info = wait_for(lambda: _ended(finished_job, started.id), 180, "the evaluation to end")

    assert info.status == "finished", info.error
    card = info.scorecard
    assert card["rows"] == 3 and info.rows == 3
    for which in ("base", "tuned"):
        assert card[which]["perplexity"] > 1
        assert 0 <= card[which]["rouge_l"] <= 1
        assert card[which]["cut_off_share"] >= 0
    assert info.verdict.startswith(("Tuned beats base", "Tuned did not improve"))
    assert len(info.examples) == 3
    changes = [abs(e["rouge_l_change"]) for e in info.examples]
    assert changes == sorted(changes, reverse=True)
    assert (info.done, info.total) == (12, 12)

    client = tracking.local_client()
    run = client.get_run(info.run_id)
    training_run = client.get_run(run.data.tags["studio.training_run_id"])
    assert run.info.status == "FINISHED"
    assert run.info.experiment_id == training_run.info.experiment_id
    assert run.data.tags["studio.job_id"] == finished_job
    assert run.data.tags["studio.comparator"] == "base"
    assert run.data.tags["studio.rows"] == "3 rows, seed 1"
    assert run.data.metrics["tuned_perplexity"] == pytest.approx(card["tuned"]["perplexity"])
    artifacts = {a.path for a in client.list_artifacts(info.run_id)}
    assert {"per_example.json", "result.json", "logs"} <= artifacts

    # Greedy decoding: a rerun on the same rows gives the same replies.
    again = evaluations.start_evaluation(finished_job, rows=3, seed=1, max_new_tokens=8)
    rerun = wait_for(lambda: _ended(finished_job, again.id), 180, "the rerun to end")
    assert rerun.examples == info.examples
    listed = evaluations.list_evaluations(finished_job)
    assert [e.id for e in listed] == [again.id, started.id]


@pytest.mark.slow
def test_cancel_stops_the_worker_and_ends_the_run_killed(finished_job, tmp_path):
    _set_test_file(finished_job, write_jsonl(tmp_path / "big.jsonl", conversations(300)))
    started = evaluations.start_evaluation(finished_job, rows=300, max_new_tokens=400, batch_size=1)
    wait_for(
        lambda: evaluations.get_evaluation(finished_job, started.id).stage.startswith("generating"),
        180,
        "generation to start",
    )

    evaluations.cancel_evaluation(finished_job, started.id)

    pid = _record(finished_job, started.id)["pid"]
    wait_for(lambda: not processes.is_alive(pid), 15, "the worker to be gone")
    info = evaluations.get_evaluation(finished_job, started.id)
    assert info.status == "killed"
    assert tracking.local_client().get_run(info.run_id).info.status == "KILLED"


def test_no_test_split_fails_before_any_mlflow_run(finished_job):
    _set_test_file(finished_job, "")
    client = tracking.local_client()
    runs_before = len(client.search_runs(client.search_experiments()[0].experiment_id))
    with pytest.raises(EvaluationError, match="no test split"):
        evaluations.start_evaluation(finished_job)
    experiments = [e.experiment_id for e in client.search_experiments()]
    assert len(client.search_runs(experiments)) == runs_before


def test_a_failing_worker_ends_its_run_failed_with_the_reason(finished_job):
    adapter = config.jobs_dir() / finished_job / "adapter"
    adapter.rename(adapter.with_name("adapter-moved"))
    started = evaluations.start_evaluation(finished_job, rows=2, max_new_tokens=4)
    info = wait_for(lambda: _ended(finished_job, started.id), 120, "the evaluation to end")
    assert info.status == "failed"
    assert "neither adapter/ nor model/" in info.error
    run = tracking.local_client().get_run(info.run_id)
    assert run.info.status == "FAILED"
    assert "neither adapter/" in run.data.tags["studio.error"]
