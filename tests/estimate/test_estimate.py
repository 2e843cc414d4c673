"""The pre-flight estimate: token arithmetic, throughput from earlier runs, cost, the CLI."""

from __future__ import annotations

import dataclasses
import json

import pytest

from services import config
from services.backends.base import JobSpec
from services.cli import main
from services.training import job_record
from services.training.estimate import (
    NOT_COUNTED,
    TokenCount,
    check_estimate,
    cost,
    count_tokens,
    estimate_job,
    training_size,
)
from tests.training.tiny import write_dataset, write_jsonl

# With the character estimate a message is ceil(chars / 4) + 5 template tokens.
LONG = {
    "messages": [
        {"role": "user", "content": "a" * 400},
        {"role": "assistant", "content": "b" * 400},
    ]
}
SHORT = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}]}


def spec_for(train_file, **params) -> JobSpec:
    return JobSpec("some-model", str(train_file), "", "cpu", 0, params, "estimate-test")


def test_tokens_are_counted_after_truncation(tmp_path):
    data = write_jsonl(tmp_path / "train.jsonl", [LONG, SHORT])
    counted = count_tokens(data, max_seq_length=64)
    # LONG has 2 × 105 = 210 tokens, cut to 64; SHORT has 2 × 6 = 12.
    assert counted.mean_tokens == pytest.approx((64 + 12) / 2)
    assert (counted.conversations, counted.sampled, counted.approximate) == (2, False, True)
    assert count_tokens(data, max_seq_length=4096).mean_tokens == pytest.approx((210 + 12) / 2)
    assert "every row" in counted.note


def test_epochs_count_every_conversation_and_max_steps_counts_batches():
    counted = TokenCount(
        mean_tokens=40, conversations=10, counted=10, sampled=False, approximate=True
    )
    by_epochs = {"num_train_epochs": "3", "per_device_train_batch_size": "4"}
    assert training_size(counted, by_epochs, gpus=0) == (10 * 3 * 40, 3 * 3)  # ceil(10/4) = 3
    by_steps = {**by_epochs, "max_steps": "7", "gradient_accumulation_steps": "2"}
    assert training_size(counted, by_steps, gpus=2) == (7 * (4 * 2 * 2) * 40, 7)
    assert training_size(counted, {**by_steps, "max_steps": "-1"}, gpus=0)[1] == 2 * 3


def test_a_big_file_is_estimated_from_a_sample_and_says_so(tmp_path):
    data = write_jsonl(tmp_path / "train.jsonl", [SHORT] * 30)
    estimate = estimate_job(spec_for(data, num_train_epochs="1"), sample_rows=10)
    assert "from a sample of 10 rows of 30" in estimate.tokens_note
    assert estimate.tokens == 30 * 12  # the sample's mean, scaled to every row
    whole = estimate_job(spec_for(data, num_train_epochs="1"))
    assert "every row" in whole.tokens_note and "sample" not in whole.tokens_note


def test_without_earlier_runs_the_figure_says_it_is_rough(tmp_path):
    data = write_jsonl(tmp_path / "train.jsonl", [SHORT] * 4)
    small = estimate_job(spec_for(data, num_train_epochs="1"), parameters=135_000_000)
    assert small.source.startswith("no earlier run: rough figure from")
    assert small.tokens_per_second == pytest.approx(150)
    assert small.seconds == pytest.approx(small.tokens / 150)
    bigger = estimate_job(spec_for(data, num_train_epochs="1"), parameters=270_000_000)
    assert bigger.seconds == pytest.approx(2 * small.seconds)  # twice the model, half the speed
    assert small.cost is None and "Cost" not in " ".join(small.lines())
    assert "Not counted: queue time" in small.lines()[-1]


def test_cost_is_price_times_nodes_times_hours(tmp_path):
    assert cost(3.67, 2, 1800) == pytest.approx(3.67)
    assert cost(None, 2, 1800) is None
    data = write_jsonl(tmp_path / "train.jsonl", [SHORT] * 8)
    estimate = estimate_job(
        JobSpec("m", str(data), "", "a100", 1, {"num_nodes_finetune": "2"}, "x"),
        hourly_price=3.67,
        local_runs=False,
    )
    assert estimate.nodes == 2
    assert estimate.cost == pytest.approx(3.67 * 2 * estimate.seconds / 3600)
    assert "× 2 nodes" in " ".join(estimate.lines())
    assert set(NOT_COUNTED) <= set(estimate.not_counted)


def test_earlier_finished_run_of_the_same_shape_sets_the_throughput(finished_job):
    folder = config.jobs_dir() / finished_job
    record = job_record.load(folder)
    progress = json.loads((folder / "progress.json").read_text())
    # Its speed in the tokens the estimate counts: its estimated tokens over its step time.
    seconds = progress["step"] * progress["seconds_per_step"]
    spec = JobSpec(**record.spec)

    estimate = estimate_job(spec)
    assert finished_job in estimate.source and "no earlier run" not in estimate.source
    assert estimate.tokens_per_second == pytest.approx(record.estimate["tokens"] / seconds)

    other_shape = dataclasses.replace(spec, params={**spec.params, "max_seq_length": "128"})
    assert estimate_job(other_shape).source.startswith("no earlier run")
    on_azure = estimate_job(spec, local_runs=False)
    assert on_azure.source.startswith("no earlier run")


def test_the_estimate_made_at_submit_is_set_against_the_actual_run(finished_job):
    record = job_record.load(config.jobs_dir() / finished_job)
    assert record.estimate and record.estimate["tokens"] > 0  # kept at submit
    check = check_estimate(finished_job)
    assert check is not None
    assert check.estimate.tokens == record.estimate["tokens"]
    assert check.actual_seconds > 0 and check.wall_seconds >= check.actual_seconds
    assert check.line().startswith("Estimate ") and "actual" in check.line()


def test_a_record_from_before_estimates_still_loads(finished_job):
    folder = config.jobs_dir() / finished_job
    data = json.loads((folder / "job.json").read_text())
    del data["estimate"]
    (folder / "job.json").write_text(json.dumps(data))
    assert job_record.load(folder).estimate is None
    assert check_estimate(finished_job) is None


def test_dry_run_json_carries_the_estimate(capsys, tiny_model, tmp_path):
    train_file, _ = write_dataset(tmp_path / "data", train=12, test=2)
    argv = ["train", "--model", str(tiny_model), "--data", str(train_file.parent)]
    argv += [
        "--dry-run",
        "--json",
        "--set",
        "max_steps=5",
        "--set",
        "per_device_train_batch_size=2",
    ]
    assert main(argv) == 0
    dry = json.loads(capsys.readouterr().out)
    estimate = dry["estimate"]
    assert estimate["steps"] == 5 and estimate["tokens"] > 0
    assert estimate["seconds"] == pytest.approx(estimate["tokens"] / estimate["tokens_per_second"])
    assert estimate["source"].startswith("no earlier run")
    assert estimate["cost"] is None  # local runs cost nothing by the hour
    assert not list(config.jobs_dir().glob("*/job.json")), "a dry run submits nothing"
