"""The Evaluate page on the Azure backend (AppTest): the tuned deployment against the base model
deployed from the registry, its price accepted first, through the real SDK on the fake layer."""

from __future__ import annotations

import pytest
import streamlit as st

import pages.shared.backend
from services.backends import create_backend
from tests.app_helpers import open_page
from tests.azure.test_evaluation import ALLOWED, answer
from tests.azure.test_jobs import MODEL_ID, spec
from tests.training.tiny import conversations, write_jsonl


@pytest.fixture
def azure_page(monkeypatch, connect, workspace, fake, tmp_path):
    workspace.add_model("Phi-4-mini-instruct", "3", tags={"inference_compute_allow_list": ALLOWED})
    workspace.add_compute("a100", "Standard_NC24ads_A100_v4")
    backend = connect()
    train = write_jsonl(tmp_path / "train.jsonl", conversations(3))
    test = write_jsonl(tmp_path / "test.jsonl", conversations(4))
    job = backend.submit_job(spec(train, test))
    workspace.set_status(job.id, "Completed")
    workspace.log_metrics(job.id, ("eval_loss", 1.9, 1, 10))  # the training run, in MLflow
    workspace.add_endpoint("tuned-1", auth_mode="Key", deployment="demo")
    fake.on(
        "POST",
        r"tuned-1\.eastus\.inference\.ml\.azure\.com/score$",
        answer("Paris.", "primary-key-of-tuned-1"),
    )

    def base(request, match):
        return answer("Lyon.", f"primary-key-of-{match.group(1)}")(request, match)

    fake.on("POST", r"(base-[a-z0-9-]+)\.eastus\.inference\.ml\.azure\.com/score$", base)
    monkeypatch.setenv("STUDIO_BACKEND", "azure")
    monkeypatch.setattr(
        pages.shared.backend,
        "create_backend",
        lambda name, **options: backend if name == "azure" else create_backend(name),
    )
    st.cache_resource.clear()
    return job.id, str(test)


def test_the_base_deployment_is_offered_with_its_price_and_deleted_after(azure_page, fake):
    job_id, test_file = azure_page
    at = open_page("evaluate", timeout=120, query_params={"job": job_id})
    assert not at.exception, at.exception
    assert not at.error and not at.info, [m.value for m in [*at.error, *at.info]]
    assert at.button(key="evaluate_start").disabled

    at.text_input(key="evaluate_test_file").set_value(test_file)
    at.number_input(key="evaluate_rows").set_value(2)
    accept = at.checkbox(key="evaluate_accept_base")
    assert "$" in accept.label and "deletes it" in accept.label
    accept.check().run()
    at.button(key="evaluate_start").click().run()

    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    deployment = fake.sent("PUT", r"/onlineEndpoints/base-[^/]+/deployments/demo$")[-1]
    assert deployment.json()["properties"]["model"] == MODEL_ID  # from the registry
    assert fake.sent("DELETE", r"/onlineEndpoints/base-[^/]+$")
    shown = [m.value for m in at.success] + [m.value for m in at.warning]
    assert shown and "perplexity not measurable through an endpoint" in shown[0]
    assert len(at.dataframe[1].value) == 2


def test_past_evaluations_are_found_again_from_the_workspace_runs_after_a_refresh(
    azure_page, workspace
):
    job_id, test_file = azure_page
    at = open_page("evaluate", timeout=120, query_params={"job": job_id})
    at.text_input(key="evaluate_test_file").set_value(test_file)
    at.number_input(key="evaluate_rows").set_value(2)
    at.checkbox(key="evaluate_accept_base").check().run()
    at.button(key="evaluate_start").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [run_id] = workspace.mlflow_runs

    fresh = open_page("evaluate", timeout=120, query_params={"job": job_id})  # a page refresh

    assert not fresh.exception, fresh.exception
    assert not fresh.error, [e.value for e in fresh.error]
    assert fresh.subheader[0].value == f"Evaluation {run_id}"
    verdict = [m.value for m in fresh.warning] + [m.value for m in fresh.success]
    assert "perplexity not measurable through an endpoint" in verdict[0]
    scorecard, past = (
        fresh.dataframe[0].value,
        fresh.dataframe[-1].value,
    )  # no per-example rows kept
    assert "ROUGE-L" in list(scorecard["figure"])
    assert list(past["id"]) == [run_id] and list(past["status"]) == ["finished"]
    assert fresh.selectbox(key="evaluate_shown").value == run_id
