"""The estimate against a real run of the same model and shape on this machine.

Two real tiny runs: the first sets the throughput; the second, twice as long, is estimated
from it at submit and set against its own training time (check_estimate).

What is asserted is what the estimate controls: its duration is the run's steps at the first
run's measured time per step (tokens counted the same way on both sides). The error
against the actual time is then only the change in this machine's speed between the two runs,
and that is printed, not asserted: on the shared 2-core machine the same 300 tiny steps took
0.26 s/step in one run and 0.48 s/step in the next (-47%), from other processes' load alone,
so a bound on it would fail by the neighbours' doing (a flaky test). The figure for real
SmolLM2 runs is in the closing note of issue 13; bench/ is where timed targets live.
"""

from __future__ import annotations

import dataclasses

import pytest

from services import config
from services.backends.base import JobSpec
from services.training import job_record, jobs
from services.training.estimate import check_estimate
from tests.training.tiny import TINY_PARAMS, wait_for, write_dataset


def _run_to_the_end(spec: JobSpec) -> str:
    job = jobs.submit_job(spec)
    done = wait_for(
        lambda: (info := jobs.get_job(job.id)).is_terminal and info, 600, f"job {job.id}"
    )
    assert done.status == "finished", done.error
    return job.id


def _progress(job_id: str) -> dict:
    import json

    return json.loads((config.jobs_dir() / job_id / "progress.json").read_text())


@pytest.mark.slow
def test_the_estimate_is_the_run_s_tokens_at_the_earlier_run_s_speed(tiny_model, tmp_path):
    train, test = write_dataset(tmp_path / "data", train=48, test=4)
    params = {**TINY_PARAMS, "max_steps": "60", "eval_steps": "1000"}
    spec = JobSpec(str(tiny_model), str(train), str(test), "cpu", 0, params, "calibration")
    first = _run_to_the_end(spec)
    assert "no earlier run" in job_record.load(config.jobs_dir() / first).estimate["source"]

    longer = dataclasses.replace(spec, params={**params, "max_steps": "120"}, display_name="e2")
    second = _run_to_the_end(longer)

    check = check_estimate(second)
    assert check is not None
    estimate = check.estimate
    assert first in estimate.source
    # The speed is the first run's, in the tokens the estimate counts: so the estimate is
    # the second run's step count at the first run's time per step (the tokens per step of
    # the two runs are the same), whatever the count leaves out of the chat template.
    calibration = _progress(first)
    per_step = estimate.tokens / estimate.steps / estimate.tokens_per_second
    assert per_step == pytest.approx(calibration["seconds_per_step"], rel=0.02)
    assert estimate.seconds == pytest.approx(estimate.tokens / estimate.tokens_per_second)
    print(f"\n{check.line()} (this machine's speed change between the two runs)")
