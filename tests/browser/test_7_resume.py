"""Journey 7, resume: cancel a short local run on the Jobs page once it kept a checkpoint,
resume it from there, see the new job finish and, on the Metrics page, one loss curve that
runs on from the cancelled job without a gap or a repeated step.

Independent of the other journeys: it submits its own tiny job (the CLI, against the app's
STUDIO_HOME) and waits on conditions only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from services.training import checkpoints
from tests.browser.server import studio_env
from tests.browser.ui import click, idle, open_app, widget
from tests.training.tiny import wait_for, write_dataset

pytestmark = pytest.mark.browser

STEPS = 300  # long enough that the cancel lands well before the end on any CPU
SAVE_EVERY = 20
FINISH_TIMEOUT_MS = 600_000


def submit_tiny_job(home, model, data_folder) -> str:
    command = [sys.executable, "-m", "services", "train", "--backend", "local"]
    command += ["--model", str(model), "--data", str(data_folder), "--json"]
    command += ["--display-name", "tiny-resume-journey"]
    settings = {
        "max_steps": STEPS,
        "eval_steps": SAVE_EVERY,
        "per_device_train_batch_size": 2,
        "learning_rate": "5e-3",
        "lr_scheduler_type": "linear",
        "lora_r": 4,
        "lora_alpha": 8,
        "max_seq_length": 64,
    }
    for name, value in settings.items():
        command += ["--set", f"{name}={value}"]
    env = studio_env(home)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)["id"]


def status_metric(page):
    return page.get_by_test_id("stMetric").filter(has_text="Status").get_by_test_id("stMetricValue")


def test_a_cancelled_run_resumes_and_draws_one_loss_curve(page, app_server, demo_model, tmp_path):
    train_file, _ = write_dataset(tmp_path / "data")
    job_id = submit_tiny_job(app_server.home, demo_model, train_file.parent)
    job_dir = app_server.home / "jobs" / job_id
    wait_for(
        lambda: any(c.usable for c in checkpoints.list_checkpoints(job_dir)),
        300,
        "the job's first usable checkpoint",
    )

    open_app(page, app_server.url, f"jobs?job={job_id}", title="Jobs")
    click(page, "jobs_cancel")
    click(page, "jobs_cancel_yes")
    expect(status_metric(page)).to_have_text("killed")
    resume = widget(page, "jobs_resume").get_by_role("button")
    expect(resume).to_have_text(re.compile(r"Resume from step \d+"), use_inner_text=True)
    step = int(resume.inner_text().rsplit(" ", 1)[-1])
    assert step % SAVE_EVERY == 0
    resume.click()

    expect(page.get_by_text(f"Resumed from job {job_id} at step {step}.")).to_be_visible()
    resumed_id = page.url.split("job=", 1)[1].split("&", 1)[0]
    assert resumed_id != job_id
    expect(status_metric(page)).to_have_text("finished", timeout=FINISH_TIMEOUT_MS)

    open_app(page, app_server.url, f"metrics?job={resumed_id}", title="Metrics")
    chart = page.get_by_test_id("stPlotlyChart").locator(".js-plotly-plot")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    idle(page)
    loss_steps = chart.evaluate(
        "plot => plot._fullData.filter(t => t.name.endsWith(' · loss')).map(t => Array.from(t.x))"
    )
    assert loss_steps == [list(range(1, STEPS + 1))]  # one curve, every step once
