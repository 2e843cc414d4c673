"""Journeys 2, 6, 3, 4 on one real run of the bundled SmolLM2, in the order a person lives them.

2 Wizard: model and CPU, too many GPUs refused, fixed, review, submit a short run.
6 Restart: the Streamlit server stops while the run trains and starts again; job and log stay.
3 Jobs: the log tail grows while the run trains, the run finishes, ?job=<id> reopens it.
4 Metrics: the loss chart has points for loss and eval_loss.

The tests of this file share the run (a person's one installation): each later one skips when
the run it follows was not submitted. Other files never rely on it (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.ui import (
    click,
    fill_number,
    heading,
    open_app,
    screenshot,
    selection,
    widget,
)

pytestmark = pytest.mark.browser

MAX_STEPS = 4
EVAL_STEPS = 2
# Converting SmolLM2 once (~30 s), 4 CPU steps and 3 evaluations: ~1 min on an idle 2-core
# machine, several times that when the machine is shared.
TRAIN_TIMEOUT_MS = 10 * 60_000
RUN: dict[str, str] = {}  # the job the wizard submitted


def submitted_job() -> str:
    if "job" not in RUN:
        pytest.skip("needs the job the wizard journey submits")
    return RUN["job"]


def step_title(page, number: int, name: str):
    return expect(heading(page, f"{number}. {name}"))


def alert(page, text):
    return page.get_by_test_id("stAlert").filter(has_text=text)


def job_log(page):
    return page.get_by_test_id("stCode").first


def status_metric(page):
    return page.get_by_test_id("stMetric").filter(has_text="Status").get_by_test_id("stMetricValue")


def test_wizard_submits_a_short_run(page, app_server):
    open_app(page, app_server.url)
    step_title(page, 1, "Connect").to_be_visible()
    expect(alert(page, "Local backend")).to_be_visible()
    click(page, "setup_next")

    step_title(page, 2, "Model").to_be_visible()
    expect(selection(page, "setup_model_id")).to_have_value(re.compile("^SmolLM2-135M-Instruct"))
    click(page, "setup_next")

    step_title(page, 3, "Compute").to_be_visible()
    expect(selection(page, "setup_compute")).to_have_value(re.compile("^cpu"))
    fill_number(page, "setup_gpus", 4)
    expect(alert(page, re.compile(r"asked for 4", re.I)).first).to_be_visible()
    expect(widget(page, "setup_next").get_by_role("button")).to_be_disabled()
    screenshot(page, "setup-compute-refused")
    fill_number(page, "setup_gpus", 0)
    expect(alert(page, "This compute can run the job")).to_be_visible()
    click(page, "setup_next")

    step_title(page, 4, "Data").to_be_visible()
    click(page, "setup_data_demo")
    expect(selection(page, "setup_dataset")).to_have_value("demo")
    click(page, "setup_next")

    step_title(page, 5, "Parameters").to_be_visible()
    fill_number(page, "setup_param_max_steps", MAX_STEPS)
    fill_number(page, "setup_param_eval_steps", EVAL_STEPS)
    expect(page.get_by_text("Run name:")).to_be_visible()
    click(page, "setup_next")

    step_title(page, 6, "Review").to_be_visible()
    screenshot(page, "setup-review")
    click(page, "setup_submit")
    submitted = alert(page, re.compile(r"Job job-\S+ submitted"))
    expect(submitted).to_be_visible(timeout=60_000)  # the first job creates the MLflow store
    RUN["job"] = re.search(r"Job (job-\S+) submitted", submitted.inner_text()).group(1)

    click(page, "setup_open_job")
    expect(heading(page, "Jobs")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/jobs\?job={RUN['job']}$"))


def test_restart_keeps_the_running_job_and_its_log(page, app_server):
    job_id = submitted_job()
    open_app(page, app_server.url, f"jobs?job={job_id}", "Jobs")
    expect(status_metric(page)).to_have_text(re.compile("queued|running"))
    expect(job_log(page)).to_contain_text("worker", timeout=60_000)

    app_server.stop()
    lost = re.compile("Connection error|Is Streamlit still running")
    expect(page.get_by_text(lost).first).to_be_visible()
    app_server.start()

    open_app(page, app_server.url, f"jobs?job={job_id}", "Jobs")
    expect(selection(page, "jobs_selected")).to_have_value(re.compile(job_id))
    expect(status_metric(page)).to_have_text(re.compile("queued|running"))
    expect(job_log(page)).to_contain_text(f"for job {job_id}")
    open_app(page, app_server.url)  # see test_a_link_is_the_first_visit_after_a_restart


def test_a_link_is_the_first_visit_after_a_restart(page, app_server):
    job_id = submitted_job()
    app_server.stop()
    app_server.start()
    try:
        open_app(page, app_server.url, f"jobs?job={job_id}", "Jobs")
        expect(page.get_by_text("Backend:")).to_be_visible(timeout=5_000)  # app.py's sidebar
    finally:
        open_app(page, app_server.url)  # a visit to / puts the server back on app.py


@pytest.mark.timeout(1800)  # waits on CPU training; the suite default is 600 s
def test_jobs_log_grows_while_training_and_the_job_reopens(page, app_server):
    job_id = submitted_job()
    open_app(page, app_server.url, f"jobs?job={job_id}", "Jobs")
    log = job_log(page)
    expect(log).to_contain_text(f"step 1/{MAX_STEPS}", timeout=TRAIN_TIMEOUT_MS)
    shown = len(log.inner_text())
    expect(log).to_contain_text(f"step 3/{MAX_STEPS}", timeout=TRAIN_TIMEOUT_MS)
    assert len(log.inner_text()) > shown  # the same page, refreshed by its live fragment
    screenshot(page, "jobs-running")

    expect(status_metric(page)).to_have_text("finished", timeout=TRAIN_TIMEOUT_MS)
    expect(log).to_contain_text("training finished")

    page.goto(f"{app_server.url}/jobs?job={job_id}")  # a reload, or a shared link
    expect(selection(page, "jobs_selected")).to_have_value(re.compile(job_id))
    expect(status_metric(page)).to_have_text("finished")
    expect(job_log(page)).to_contain_text(f"step {MAX_STEPS}/{MAX_STEPS}")
    screenshot(page, "jobs")


def plotly_traces(page) -> dict[str, int]:
    """Trace name → number of points, read from the figure plotly drew."""
    return page.locator(".js-plotly-plot").first.evaluate(
        "plot => Object.fromEntries(plot.data.map(t => [t.name, (t.x || []).length]))"
    )


def test_metrics_chart_shows_loss_and_eval_loss(page, app_server):
    job_id = submitted_job()
    open_app(page, app_server.url, f"jobs?job={job_id}", "Jobs")
    click(page, "jobs_to_metrics")
    expect(heading(page, "Metrics")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/metrics\?job={job_id}$"))
    expect(page.locator(".js-plotly-plot .scatterlayer .trace").first).to_be_visible()

    traces = plotly_traces(page)
    loss = next(n for name, n in traces.items() if name.endswith("· loss"))
    eval_loss = next(n for name, n in traces.items() if name.endswith("· eval_loss"))
    assert loss == MAX_STEPS
    assert eval_loss >= MAX_STEPS // EVAL_STEPS
    expect(page.get_by_test_id("stMetric").filter(has_text="eval_loss")).to_be_visible()
    screenshot(page, "metrics")
