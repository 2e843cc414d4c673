"""The pre-flight estimate on the pages: before Submit (Review step), after the run (Jobs)."""

from __future__ import annotations

from tests.app_helpers import open_page


def click_next(at):
    at.button(key="setup_next").click().run()
    assert not at.exception, at.exception
    return at


def test_review_step_shows_tokens_duration_and_what_is_not_counted():
    at = open_page("setup", timeout=120)
    click_next(at)  # connect (local) → model (the bundled SmolLM2)
    click_next(at)  # model → compute (cpu)
    click_next(at)  # compute → data
    at.button(key="setup_data_demo").click().run()
    click_next(at)  # data → parameters
    click_next(at)  # parameters → review
    assert at.button(key="setup_submit")
    shown = " ".join(box.value for box in at.info)
    assert "Tokens to train:" in shown and "every row counted with the model's tokenizer" in shown
    assert "Expected duration:" in shown
    assert "no earlier run: rough figure from" in shown  # a fresh STUDIO_HOME has no runs
    assert "Not counted: queue time" in shown
    assert "Cost:" not in shown  # a local run has no hourly price


def test_jobs_page_sets_the_estimate_against_the_finished_run(finished_job):
    at = open_page("jobs", query_params={"job": finished_job})
    assert not at.exception, at.exception
    line = [c.value for c in at.caption if c.value.startswith("Estimate ")]
    assert line and "of training against" in line[0] and "actual" in line[0]
