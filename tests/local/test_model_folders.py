"""Hugging Face model folders added by path: validation, description, persistence."""

from __future__ import annotations

import json

import pytest

from services import config
from services.errors import ModelError
from services.local import catalog


def test_added_folder_is_described_and_listed(tiny_model):
    info = catalog.add_model_folder(tiny_model)
    expected = json.loads((tiny_model / "expected.json").read_text())
    assert info.id == str(tiny_model.resolve()) == info.path
    assert info.source == "folder" and info.name == "tiny-llama"
    assert info.parameters == expected["parameters"]
    assert info.context_length == 512
    assert info.has_chat_template is True
    assert [m.id for m in catalog.list_models()] == [catalog.BUNDLED_MODEL_ID, info.id]
    assert catalog.get_model(info.id) == info
    assert catalog.model_path(info.id) == tiny_model.resolve()
    saved = json.loads((config.models_dir() / "folders.json").read_text())
    assert saved == {"folders": [info.id]}


def test_adding_twice_keeps_one_entry_and_remove_takes_it_off(tiny_model):
    catalog.add_model_folder(tiny_model)
    catalog.add_model_folder(str(tiny_model) + "/")
    assert len(catalog.list_models()) == 2
    catalog.remove_model_folder(tiny_model)
    assert [m.id for m in catalog.list_models()] == [catalog.BUNDLED_MODEL_ID]
    assert tiny_model.is_dir()  # the files stay


def test_folder_that_vanished_is_skipped_in_the_list(tiny_model):
    import shutil

    catalog.add_model_folder(tiny_model)
    shutil.rmtree(tiny_model)
    assert [m.id for m in catalog.list_models()] == [catalog.BUNDLED_MODEL_ID]


@pytest.mark.parametrize(
    ("remove", "complaint"),
    [
        (["config.json"], "no readable config.json"),
        (["model.safetensors"], "no weights"),
        (["tokenizer.json"], "no tokenizer"),
    ],
)
def test_incomplete_folder_is_refused_naming_what_is_missing(tiny_model, remove, complaint):
    for name in remove:
        (tiny_model / name).unlink()
    with pytest.raises(ModelError) as caught:
        catalog.add_model_folder(tiny_model)
    assert complaint in caught.value.message
    assert "save_pretrained" in caught.value.hint
    assert not (config.models_dir() / "folders.json").exists()


def test_folder_of_a_non_causal_model_is_refused(tiny_model):
    model_config = json.loads((tiny_model / "config.json").read_text())
    model_config["architectures"] = ["BertForMaskedLM"]
    (tiny_model / "config.json").write_text(json.dumps(model_config))
    with pytest.raises(ModelError, match="ForCausalLM"):
        catalog.add_model_folder(tiny_model)


def test_folder_tokenizer_file_is_the_folders_own(tiny_model):
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    path = catalog.tokenizer_file(str(tiny_model))
    assert path == tiny_model.resolve() / "tokenizer.json"
    own = AutoTokenizer.from_pretrained(tiny_model)("What is 3 plus 4?", add_special_tokens=False)
    assert Tokenizer.from_file(str(path)).encode("What is 3 plus 4?").ids == own.input_ids


def test_memory_shape_of_a_folder_model_counts_its_weights(tiny_model):
    expected = json.loads((tiny_model / "expected.json").read_text())["parameters"]
    shape = catalog.model_shape(str(tiny_model))
    assert (shape.hidden_size, shape.num_layers, shape.parameters) == (64, 2, expected)
