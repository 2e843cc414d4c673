"""The Setup wizard on the Azure backend (AppTest), the real SDK behind a fake HTTP layer."""

from __future__ import annotations

import pytest
import streamlit as st

import pages.shared.backend
from services.backends import create_backend
from tests.app_helpers import open_page
from tests.azure import payloads as p
from tests.azure.fake_azure import arm_error

ALLOW = "['Standard_NC24ads_A100_v4', 'Standard_NC96ads_A100_v4']"


@pytest.fixture
def wizard(monkeypatch, connect, workspace):
    """Open the wizard with `azure` answered by the fake workspace."""
    workspace.add_model(
        "Phi-4-mini-instruct",
        "1",
        tags={"task": "chat-completion", "finetune_compute_allow_list": ALLOW},
    )
    workspace.add_model(
        "Phi-3.5-mini-instruct", "6", tags={"task": "chat-completion"}
    )  # no allow list
    workspace.add_compute("a100", "standard_nc24ADS_a100_v4")
    workspace.add_compute("broken", "Standard_NC24ads_A100_v4", state="Failed")
    workspace.add_compute("old", "Standard_NC6")

    def fake_create(name, **options):
        return connect() if name == "azure" else create_backend(name)

    monkeypatch.setattr(pages.shared.backend, "create_backend", fake_create)
    st.cache_resource.clear()
    st.cache_data.clear()
    return open_page("setup", timeout=120)


def connect_in_page(at):
    at.radio(key="setup_backend_choice").set_value("azure").run()
    at.text_input(key="setup_azure_subscription_id").input(p.SUB)
    at.text_input(key="setup_azure_resource_group").input(p.RG)
    at.text_input(key="setup_azure_workspace_name").input(p.WS)
    next(b for b in at.button if b.label == "Connect").click().run()
    assert not at.exception, at.exception
    return at


def click_next(at):
    at.button(key="setup_next").click().run()
    assert not at.exception, at.exception
    return at


def errors(at) -> str:
    return " ".join(e.value for e in at.error)


def to_compute(at, cluster: str, model: str = "Phi-4-mini-instruct/versions/1"):
    click_next(connect_in_page(at))
    at.selectbox(key="setup_model_id").set_value(
        f"azureml://registries/azureml/models/{model}"
    ).run()
    click_next(at)
    at.selectbox(key="setup_compute").set_value(cluster).run()
    return at


def test_connect_refuses_until_the_form_is_sent(wizard):
    wizard.radio(key="setup_backend_choice").set_value("azure").run()
    assert wizard.button(key="setup_next").disabled


def test_success_names_workspace_resource_group_and_region(wizard):
    connect_in_page(wizard)

    (success,) = [s.value for s in wizard.success]
    assert f"`{p.WS}`" in success
    assert f"`{p.RG}`" in success
    assert p.LOCATION in success


def test_connection_error_says_what_to_do(wizard, workspace):
    workspace.workspace_reply = arm_error(403, "AuthorizationFailed", "no access")
    connect_in_page(wizard)
    assert "role" in (errors(wizard) + " ".join(i.value for i in wizard.info)).lower()
    assert wizard.button(key="setup_next").disabled


def test_archived_model_by_name_is_refused(wizard, workspace):
    workspace.add_archived_model("Phi-3-mini-4k-instruct")
    click_next(connect_in_page(wizard))
    wizard.text_input(key="setup_model_name").input("Phi-3-mini-4k-instruct").run()
    assert "archived" in errors(wizard)
    assert wizard.button(key="setup_next").disabled


@pytest.mark.parametrize(
    ("cluster", "model", "says"),
    [
        ("broken", "Phi-4-mini-instruct/versions/1", "failed"),
        ("old", "Phi-4-mini-instruct/versions/1", "not in the allow-listed"),
        ("old", "Phi-3.5-mini-instruct/versions/6", "not supported"),
    ],
)
def test_compute_refusals(wizard, cluster, model, says):
    at = to_compute(wizard, cluster, model)
    assert says in errors(at).lower()
    assert at.button(key="setup_next").disabled


def test_whole_azure_wizard_submits_the_guides_pipeline(wizard, fake):
    at = to_compute(wizard, "a100")
    assert not errors(at), errors(at)
    click_next(at)  # compute → data
    at.button(key="setup_data_demo").click().run()
    click_next(at)  # data → parameters
    at.number_input(key="setup_param_learning_rate").set_value(-1.0).run()
    assert "learning_rate" in errors(at)
    assert at.button(key="setup_next").disabled
    at.number_input(key="setup_param_learning_rate").set_value(5e-6).run()
    click_next(at)  # parameters → review
    fields = dict(zip(*at.dataframe[-1].value[["field", "value"]].T.values, strict=True))
    assert fields["Display name"] == (
        "Phi-4-mini-instruct-ultrachat-bs1-cosine-ds2-lora-save_limit-1-seqlen512"
    )
    assert fields["GPUs"] == "1"
    at.button(key="setup_submit").click().run()
    assert not at.exception, at.exception
    body = fake.sent("PUT", r"/workspaces/ws-studio/jobs/[^/]+$")[-1].json()["properties"]
    assert body["displayName"] == fields["Display name"]
    (node,) = body["jobs"].values()
    assert node["inputs"]["compute_finetune"]["value"] == "a100"
    assert "submitted" in " ".join(s.value for s in at.success)
