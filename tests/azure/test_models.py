"""Registry models through the real SDK: tags optional, archived models marked."""

from __future__ import annotations

import pytest

from services.errors import ModelError

ALLOW = "['Standard_NC24ads_A100_v4', 'Standard_NC96ads_A100_v4']"
INFER = "['Standard_NC6s_v3', 'Standard_NC24ads_A100_v4']"
DEFAULTS = "{'apply_deepspeed': 'true', 'learning_rate': '2e-5'}"


def test_model_with_every_tag(backend, workspace, fake):
    workspace.add_model(
        "Phi-3.5-mini-instruct",
        "6",
        tags={
            "task": "chat-completion",
            "finetune_compute_allow_list": ALLOW,
            "inference_compute_allow_list": INFER,
            "model_specific_defaults": DEFAULTS,
        },
    )

    model = backend.get_model("Phi-3.5-mini-instruct")

    assert model.name == "Phi-3.5-mini-instruct"
    assert model.version == "6"
    assert model.id == "azureml://registries/azureml/models/Phi-3.5-mini-instruct/versions/6"
    assert model.finetune_compute_allow_list == (
        "Standard_NC24ads_A100_v4",
        "Standard_NC96ads_A100_v4",
    )
    assert model.inference_compute_allow_list == ("Standard_NC6s_v3", "Standard_NC24ads_A100_v4")
    assert model.model_specific_defaults == {"apply_deepspeed": "true", "learning_rate": "2e-5"}
    assert not model.archived
    # label="latest": newest version first, one of them, then that version read in full
    listed = fake.sent("GET", r"/registries/azureml/models/Phi-3\.5-mini-instruct/versions$")[-1]
    assert listed.query["$top"] == ["1"]
    assert listed.query["$orderBy"] == ["createdtime desc"]
    assert fake.sent("GET", r"/models/Phi-3\.5-mini-instruct/versions/6$")


@pytest.mark.parametrize(
    "missing",
    [
        "finetune_compute_allow_list",
        "inference_compute_allow_list",
        "model_specific_defaults",
    ],
)
def test_model_without_one_tag(backend, workspace, missing):
    tags = {
        "finetune_compute_allow_list": ALLOW,
        "inference_compute_allow_list": INFER,
        "model_specific_defaults": DEFAULTS,
    }
    del tags[missing]
    workspace.add_model("Phi-4-mini-instruct", "3", tags=tags)

    model = backend.get_model("Phi-4-mini-instruct")

    parsed = {
        "finetune_compute_allow_list": model.finetune_compute_allow_list,
        "inference_compute_allow_list": model.inference_compute_allow_list,
        "model_specific_defaults": model.model_specific_defaults,
    }
    assert not parsed.pop(missing)
    assert all(parsed.values())


def test_model_without_any_tag(backend, workspace):
    workspace.add_model("Mistral-7B-Instruct-v0.3", "2", tags={})

    model = backend.get_model("Mistral-7B-Instruct-v0.3")

    assert (model.finetune_compute_allow_list, model.inference_compute_allow_list) == ((), ())
    assert model.model_specific_defaults == {}


def test_allow_list_from_properties_when_tags_lack_it(backend, workspace):
    # azure-ai-ml 1.35 drops a registry version's systemMetadata; properties survive.
    workspace.add_model("Phi-4", "7", tags={}, properties={"finetune_compute_allow_list": ALLOW})

    assert backend.get_model("Phi-4").finetune_compute_allow_list[0] == "Standard_NC24ads_A100_v4"


def test_unparsable_tag_is_ignored(backend, workspace):
    workspace.add_model("Phi-4", "7", tags={"finetune_compute_allow_list": "not a [list"})

    assert backend.get_model("Phi-4").finetune_compute_allow_list == ()


def test_archived_model_is_found_and_marked(backend, workspace, fake):
    workspace.add_archived_model(
        "Phi-3-mini-4k-instruct", "15", tags={"finetune_compute_allow_list": ALLOW}
    )

    model = backend.get_model("Phi-3-mini-4k-instruct")

    assert model.archived
    assert model.version == "15"
    assert model.finetune_compute_allow_list
    archived_query = fake.sent("GET", r"/registries/azureml/models$")[-1]
    assert "ARCHIVED" in archived_query.query["listViewType"][0].upper()
    assert fake.sent("GET", r"/models/Phi-3-mini-4k-instruct/versions/15$")


def test_unknown_model_says_so(backend):
    with pytest.raises(ModelError, match="not in the Azure ML registry"):
        backend.get_model("No-Such-Model")


def test_list_models_keeps_finetunable_chat_models(backend, workspace):
    workspace.add_model(
        "Phi-3.5-mini-instruct",
        "6",
        tags={"task": "chat-completion"},
        properties={"finetuning-tasks": "chat-completion,text-classification"},
    )
    workspace.add_model("Phi-4-mini-instruct", "1", tags={})  # nothing says no: kept
    workspace.add_model("Phi-3-vision-128k-instruct", "2", tags={"task": "image-text-to-text"})
    workspace.add_model(
        "Llama-Guard-3-8B-chat",
        "1",
        tags={"task": "chat-completion"},
        properties={"finetuning-tasks": "text-classification"},
    )
    workspace.add_model("bert-base-uncased", "9", tags={"task": "fill-mask"})  # not a candidate

    names = [m.name for m in backend.list_models()]

    assert sorted(names) == ["Phi-3.5-mini-instruct", "Phi-4-mini-instruct"]


def test_a_version_flagged_is_archived_without_a_stage_is_archived(backend, workspace):
    # The registry marks an archived version with isArchived and sends no stage at all.
    workspace.add_model("Phi-3-medium-4k-instruct", "4", archived=True, stage=None)

    by_version = backend.get_model(
        "azureml://registries/azureml/models/Phi-3-medium-4k-instruct/versions/4"
    )
    by_name = backend.get_model("Phi-3-medium-4k-instruct")
    listed = {m.name: m for m in backend.list_models()}

    assert by_version.archived
    assert by_name.archived
    assert listed["Phi-3-medium-4k-instruct"].archived


def test_an_active_version_is_not_archived(backend, workspace):
    workspace.add_model("Phi-4-mini-instruct", "1", stage=None)

    assert not backend.get_model("Phi-4-mini-instruct").archived
