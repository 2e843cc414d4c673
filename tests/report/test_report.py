"""The run report of a finished tiny job: its sections, parameters, data, charts, and that
nothing in it reaches for the network; a running job says so; the CLI writes it."""

from __future__ import annotations

import dataclasses
import getpass

from services.backends import create_backend
from services.cli import main
from services.report import build_report, render_html, report_html
from services.report.content import Parameter
from tests.report.network import network_fetches

SECTIONS = ("summary", "data", "parameters", "charts", "estimate", "evaluation", "endpoints")


def test_a_finished_job_report_has_every_section_and_needs_no_network(finished_job):
    report = build_report(create_backend("local"), finished_job)
    html = render_html(report)

    for section in SECTIONS:
        assert f'<section id="{section}">' in html
    assert "still running" not in html
    assert network_fetches(html) == []
    # plotly.js inlined once, with the first of the two charts (loss and eval_loss)
    assert html.count("Plotly.newPlot") == 2
    assert html.count("plotly.js v") == 1

    by_name = {p.name: p for p in report.parameters}
    assert by_name["max_steps"] == Parameter("max_steps", "6", "set for this job")
    assert by_name["logging_steps"].origin == "local default"
    assert by_name["model_id"].origin == "job setup"
    assert ">max_steps<" in html and ">set for this job<" in html
    assert [(s.name, s.rows) for s in report.splits] == [("train", 24), ("test", 4)]
    assert report.started_by == getpass.getuser()
    assert report.estimate_lines and report.estimate_lines[0].startswith("Estimate ")
    assert "Not evaluated yet" in html and "Not registered" in html


def test_the_report_names_the_registered_version(finished_job):
    backend = create_backend("local")
    model = backend.register_model(finished_job)
    html = report_html(backend, finished_job)
    assert f"Registered as {model.name}:{model.version}; no endpoint of it is running" in html


def test_a_running_job_report_says_so_and_draws_what_exists(finished_job):
    report = build_report(create_backend("local"), finished_job)
    running = dataclasses.replace(
        report, job=dataclasses.replace(report.job, status="running", ended_at=None)
    )
    html = render_html(running)
    assert 'id="still-running"' in html and "This job is still running" in html
    assert "so far" in html
    assert html.count("Plotly.newPlot") == 2


def test_the_cli_writes_the_report(finished_job, tmp_path, capsys):
    out = tmp_path / "reports" / "run.html"
    assert main(["report", finished_job, "--backend", "local", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert '<section id="charts">' in out.read_text()


def test_the_cli_refuses_an_unknown_job(finished_job, tmp_path, capsys):
    out = tmp_path / "run.html"
    assert main(["report", "no-such-job", "--backend", "local", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "no-such-job" in error and "hint: List jobs" in error
    assert not out.exists()


def test_the_scorecard_of_the_newest_evaluation_is_shown(finished_job):
    from services.evaluation.display import FIGURES, scorecard_rows

    base = {name: 1.0 for name, *_ in FIGURES}
    scorecard = {"base": base, "tuned": {**base, "rouge_l": 1.5}}
    report = build_report(create_backend("local"), finished_job)
    evaluated = dataclasses.replace(
        report,
        evaluation={
            "verdict": "The fine-tune helped.",
            "comparator": "base",
            "rows": 4,
            "when": "2026-11-29 12:00:00",
            "table": scorecard_rows(scorecard),
        },
    )
    html = render_html(evaluated)
    assert "The fine-tune helped." in html and "Not evaluated yet" not in html
    assert "<td>ROUGE-L</td><td>1.000</td><td>1.500</td><td>+0.500</td><td>yes</td>" in html
