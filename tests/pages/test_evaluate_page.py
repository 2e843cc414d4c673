"""Evaluate page (AppTest): pick a finished job, start, follow, read the verdict and table."""

from __future__ import annotations

from services import processes
from services.evaluation import evaluations
from tests.app_helpers import open_page
from tests.training.tiny import wait_for


def _finished_evaluation(job_id: str):
    started = evaluations.start_evaluation(job_id, rows=2, max_new_tokens=4)
    wait_for(
        lambda: evaluations.get_evaluation(job_id, started.id).is_terminal,
        180,
        "the evaluation to end",
    )
    return evaluations.get_evaluation(job_id, started.id)


def test_without_a_finished_job_says_what_to_do():
    at = open_page("evaluate")
    assert not at.exception, at.exception
    assert "No finished fine-tuning job yet" in at.info[0].value


def test_shows_verdict_scorecard_and_examples_of_the_evaluation_in_the_url(finished_job):
    info = _finished_evaluation(finished_job)
    assert info.status == "finished", info.error

    at = open_page("evaluate", query_params={"job": finished_job, "evaluation": info.id})

    assert not at.exception, at.exception
    assert at.selectbox(key="evaluate_job").value == finished_job
    shown = [m.value for m in at.success] + [m.value for m in at.warning]
    assert shown == [info.verdict]
    figures = at.dataframe[0].value
    assert list(figures["figure"])[:3] == ["Perplexity (held-out)", "Loss (held-out)", "ROUGE-L"]
    assert list(at.dataframe[1].value["row"]) == [e["row"] for e in info.examples]
    assert len(at.expander) == 2
    texts = [t.value for t in at.expander[0].text]
    first = info.examples[0]
    assert texts[:2] == [first["prompt"], first["reference"]]
    assert list(at.dataframe[2].value["id"]) == [info.id]


def test_start_puts_the_running_evaluation_in_the_url_and_can_cancel_it(finished_job):
    at = open_page("evaluate", query_params={"job": finished_job})
    at.number_input(key="evaluate_rows").set_value(2)
    at.number_input(key="evaluate_tokens").set_value(4)
    at.button(key="evaluate_start").click().run()

    assert not at.exception, at.exception
    evaluation_id = at.query_params["evaluation"]
    started = evaluations.get_evaluation(finished_job, evaluation_id)
    assert started.rows == 2 and started.max_new_tokens == 4
    if not started.is_terminal:
        assert at.get("progress")
        at.button(key="evaluate_cancel").click().run()
        info = evaluations.get_evaluation(finished_job, evaluation_id)
        assert info.status in ("killed", "finished")
    import json

    from services import config

    folder = config.jobs_dir() / finished_job / "evaluations" / evaluation_id
    pid = json.loads((folder / "evaluation.json").read_text())["pid"]
    wait_for(lambda: not processes.is_alive(pid), 15, "the worker to be gone")


def test_a_judge_url_is_checked_and_its_result_shown_with_the_verdict(finished_job):
    from tests.evaluation.endpoints import KEY, serve, stop

    server = serve(lambda question: "A", api="openai")  # position bias: every pair ties
    try:
        at = open_page("evaluate", query_params={"job": finished_job})
        assert at.selectbox(key="evaluate_against").options == ["base"]
        at.radio(key="evaluate_judge_kind").set_value("An OpenAI-compatible URL").run()
        at.number_input(key="evaluate_rows").set_value(2)
        at.number_input(key="evaluate_tokens").set_value(4)
        at.text_input(key="evaluate_judge_url").set_value(
            f"http://127.0.0.1:{server.server_port}/v1"
        )
        at.text_input(key="evaluate_judge_key").set_value("wrong-key")
        at.button(key="evaluate_start").click().run()
        assert not at.exception, at.exception
        assert "The judge" in at.error[0].value and "401" in at.error[0].value
        assert "evaluation" not in at.query_params

        at.text_input(key="evaluate_judge_key").set_value(KEY)
        at.button(key="evaluate_start").click().run()
        evaluation_id = at.query_params["evaluation"]
        wait_for(
            lambda: evaluations.get_evaluation(finished_job, evaluation_id).is_terminal,
            180,
            "the evaluation to end",
        )
    finally:
        stop(server)
    info = evaluations.get_evaluation(finished_job, evaluation_id)
    assert info.status == "finished", info.error

    at = open_page("evaluate", query_params={"job": finished_job, "evaluation": evaluation_id})
    assert not at.exception, at.exception
    assert "judge wins 0/2" in ([m.value for m in at.success] + [m.value for m in at.warning])[0]
    assert "ties 2" in at.info[0].value and "95% CI" in at.info[0].value
    assert list(at.dataframe[0].value["figure"])[-1] == "Judge: tuned wins / ties / losses"
    assert list(at.dataframe[1].value["judge"]) == ["tie", "tie"]
