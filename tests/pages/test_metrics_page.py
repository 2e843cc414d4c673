"""Metrics page (AppTest): runs from the URL, the loss chart, the params table."""

from __future__ import annotations

import sys

from streamlit.testing.v1 import AppTest

from services.backends.base import JobSpec
from services.training import jobs
from tests.app_helpers import open_page
from tests.training.tiny import write_dataset


def open_metrics_page(job_id: str | None = None) -> AppTest:
    return open_page("metrics", query_params={"job": job_id} if job_id else None)


def test_no_runs_yet():
    at = open_metrics_page()
    assert not at.exception
    assert "No runs yet" in at.info[0].value


def test_chart_and_params_of_the_run_in_the_url(finished_job):
    at = open_metrics_page(finished_job)
    assert not at.exception, at.exception
    assert at.multiselect(key="metrics_runs").value == [finished_job]
    assert at.get("plotly_chart"), "no chart drawn"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["eval_loss"] != "–" and metrics["train_loss"] != "–"
    params = at.dataframe[0].value
    assert params.loc["learning_rate"].iloc[0] == "0.005"
    assert any("mlflow ui" in c.value for c in at.code)

    at.toggle(key="metrics_log_scale").set_value(True).run()
    at.slider(key="metrics_smoothing").set_value(0.0).run()
    assert not at.exception


def test_two_runs_show_only_differing_params(finished_job, tmp_path, monkeypatch):
    monkeypatch.setattr(
        jobs,
        "worker_command",
        lambda job_dir: [sys.executable, "-c", "import time; time.sleep(120)"],
    )
    train, test = write_dataset(tmp_path / "data")
    spec = JobSpec("some/model", str(train), str(test), "cpu", 0, {"learning_rate": "1e-4"}, "b")
    other = jobs.submit_job(spec).id
    try:
        at = open_metrics_page(finished_job)
        at.multiselect(key="metrics_runs").select(other).run()
        assert not at.exception, at.exception
        assert "differ" in at.subheader[0].value
        table = at.dataframe[0].value
        assert list(table.columns) == [finished_job, other]
        assert table.loc["learning_rate"].tolist() == ["0.005", "1e-4"]
        assert "seed" not in table.index or len(set(table.loc["seed"])) > 1
    finally:
        jobs.cancel_job(other)
