"""The Setup wizard on the local backend, clicked through in AppTest."""

from __future__ import annotations

import pytest

from tests.app_helpers import open_page


def click_next(at):
    at.button(key="setup_next").click().run()
    assert not at.exception, at.exception
    return at


def errors(at) -> str:
    return " ".join(e.value for e in at.error)


@pytest.fixture
def at_compute():
    """The wizard at the compute step with the bundled model picked."""
    at = open_page("setup", timeout=120)
    click_next(at)  # connect (local) → model
    assert "SmolLM2" in at.selectbox(key="setup_model_id").format_func(
        at.selectbox(key="setup_model_id").value
    )
    return click_next(at)  # model → compute


def test_connect_step_defaults_to_local_and_opens_model_step():
    at = open_page("setup")
    assert at.radio(key="setup_backend_choice").value == "local"
    assert not at.button(key="setup_next").disabled
    click_next(at)
    assert at.session_state["setup_step"] == 1
    assert at.selectbox(key="setup_model_id").value


def test_cpu_passes_the_compute_check(at_compute):
    assert at_compute.selectbox(key="setup_compute").value == "cpu"
    assert not errors(at_compute)
    assert not at_compute.button(key="setup_next").disabled


def test_more_gpus_than_visible_is_refused_with_the_reason(at_compute):
    at_compute.number_input(key="setup_gpus").set_value(4).run()
    assert "GPU" in errors(at_compute)
    assert at_compute.button(key="setup_next").disabled
    assert "compute check must pass" in " ".join(c.value for c in at_compute.caption)


def test_batch_that_cannot_fit_is_refused_with_a_hint(at_compute):
    at_compute.number_input(key="setup_batch").set_value(1024).run()
    at_compute.number_input(key="setup_seq").set_value(8192).run()
    assert "fit" in errors(at_compute).lower()
    assert at_compute.info, "a hint says what to change"
    assert at_compute.button(key="setup_next").disabled


def test_whole_local_wizard_reaches_review(at_compute):
    at = click_next(at_compute)  # compute → data
    assert at.button(key="setup_next").disabled, "no data chosen yet"
    at.button(key="setup_data_demo").click().run()
    assert at.selectbox(key="setup_dataset").value
    click_next(at)  # data → parameters
    assert at.session_state["setup_step"] == 4
    click_next(at)  # parameters → review
    review = at.dataframe[-1].value
    fields = dict(zip(review["field"], review["value"], strict=True))
    assert fields["Display name"].startswith("SmolLM2-135M-Instruct-ultrachat-bs1-cosine-nods-lora")
    assert fields["Compute"] == "cpu"
    assert fields["Training data"].endswith(".jsonl")
    assert at.button(key="setup_submit")


def test_invalid_parameter_blocks_the_review(at_compute):
    at = click_next(at_compute)
    at.button(key="setup_data_demo").click().run()
    click_next(at)
    at.number_input(key="setup_param_learning_rate").set_value(0.0).run()
    assert "learning_rate" in errors(at)
    assert at.button(key="setup_next").disabled
