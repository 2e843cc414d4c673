"""`python -m services train|jobs|metrics` (in process, real jobs and MLflow store)."""

from __future__ import annotations

import json

from services import config
from services.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, object]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if "--json" in argv and "--follow" not in argv else out


def test_train_submits_and_returns_the_job_at_once(capsys, tiny_model, tiny_data, stand_in_worker):
    code, job = run_cli(
        capsys,
        "train",
        "--backend",
        "local",
        "--model",
        str(tiny_model),
        "--data",
        str(tiny_data[0].parent),
        "--max-steps",
        "5",
        "--set",
        "learning_rate=1e-4",
        "--json",
    )
    assert code == 0
    assert job["status"] == "queued" and job["id"].startswith("job-")
    spec = json.loads((config.jobs_dir() / job["id"] / "job.json").read_text())["spec"]
    assert spec["params"]["max_steps"] == 5
    assert spec["params"]["learning_rate"] == 1e-4
    assert spec["train_file"] == str(tiny_data[0]) and spec["test_file"] == str(tiny_data[1])
    assert spec["experiment_name"] == "chat_completion_" + spec["display_name"].split("-ultra")[0]

    code, listed = run_cli(capsys, "jobs", "list", "--json")
    assert [j["id"] for j in listed] == [job["id"]]
    code, cancelled = run_cli(capsys, "jobs", "cancel", job["id"], "--json")
    assert cancelled["status"] == "killed"


def test_train_on_one_jsonl_file_leaves_the_eval_split_to_the_worker(
    capsys, tiny_model, tiny_data, stand_in_worker
):
    code, job = run_cli(
        capsys, "train", "--model", str(tiny_model), "--data", str(tiny_data[0]), "--json"
    )
    spec = json.loads((config.jobs_dir() / job["id"] / "job.json").read_text())["spec"]
    assert (spec["train_file"], spec["test_file"]) == (str(tiny_data[0]), "")
    main(["jobs", "cancel", job["id"]])


def test_train_refuses_data_that_is_not_a_dataset(capsys, tiny_model, tmp_path):
    code, error = run_cli(
        capsys, "train", "--model", str(tiny_model), "--data", str(tmp_path / "x.csv"), "--json"
    )
    assert code == 2
    assert "neither a prepared dataset folder nor a .jsonl file" in error["message"]
    assert not list(config.jobs_dir().iterdir())


def test_status_logs_and_metrics_of_a_finished_job(capsys, finished_job):
    code, status = run_cli(capsys, "jobs", "status", finished_job, "--json")
    assert (code, status["status"], status["step"]) == (0, "finished", 6)

    code, logs = run_cli(capsys, "jobs", "logs", finished_job, "--json")
    assert "training finished" in logs["text"] and logs["offsets"]["train.log"] > 0

    code, text = run_cli(capsys, "jobs", "logs", finished_job, "--follow")
    assert code == 0 and text.rstrip().endswith("training finished")

    code, metrics = run_cli(capsys, "metrics", finished_job, "--json")
    assert [step for step, _ in metrics["eval_loss"]] == [0, 3, 6]
    assert all(len(point) == 2 for point in metrics["loss"])


def test_unknown_job_exits_2_with_a_hint(capsys):
    code, error = run_cli(capsys, "jobs", "status", "job-nope", "--json")
    assert code == 2 and error["error"] == "JobError" and "jobs list" in error["hint"]


def test_jobs_list_with_no_jobs_says_so(capsys):
    code, text = run_cli(capsys, "jobs", "list")
    assert code == 0 and "no jobs yet" in text


def test_a_queued_job_line_names_its_place_in_line():
    from services.backends.base import JobInfo
    from services.cli.jobs import describe

    queued = JobInfo(id="job-b", status="queued", display_name="b", queue_position=2)
    assert "(queued, position 2)" in describe(queued)
    assert "position" not in describe(JobInfo(id="job-a", status="running", display_name="a"))
