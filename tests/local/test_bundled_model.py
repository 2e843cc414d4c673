"""The bundled SmolLM2: converted once from its GGUF into a plain safetensors folder."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from services import config
from services.local import catalog, model_cache
from services.local.gguf_tokenizer import write_gguf_tokenizer
from services.local.model_folders import validate_model_folder
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_conversion_writes_a_plain_safetensors_folder(with_converted_bundled):
    folder = catalog.model_path(catalog.BUNDLED_MODEL_ID)
    assert folder == with_converted_bundled
    assert validate_model_folder(folder) == folder.resolve()
    model_config = json.loads((folder / "config.json").read_text())
    assert model_config["model_type"] == "llama"
    assert "quantization_config" not in model_config
    assert model_config["tie_word_embeddings"] is True
    info = catalog.get_model(catalog.BUNDLED_MODEL_ID)
    assert info.path == str(folder)
    # the safetensors hold every GGUF parameter, dequantized
    assert catalog.model_folders.folder_model_info(folder).parameters == info.parameters
    assert not list(folder.parent.glob(".model.tmp-*"))


def test_converted_model_is_reused_without_converting_again(with_converted_bundled, monkeypatch):
    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(model_cache, "run_converter", no_conversion)
    monkeypatch.setattr(catalog, "write_gguf_tokenizer", no_conversion)
    assert catalog.model_path(catalog.BUNDLED_MODEL_ID) == with_converted_bundled
    # the tokenizer comes from the converted folder once there is one
    assert catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID) == with_converted_bundled / (
        "tokenizer.json"
    )


def test_converted_model_loads_and_chats_in_a_child_process(with_converted_bundled):
    code = f"""
import json
from transformers import AutoModelForCausalLM, AutoTokenizer
folder = {str(with_converted_bundled)!r}
tokenizer = AutoTokenizer.from_pretrained(folder)
model = AutoModelForCausalLM.from_pretrained(folder)
inputs = tokenizer.apply_chat_template(
    [{{"role": "user", "content": "What is the capital of France?"}}],
    add_generation_prompt=True, return_tensors="pt", return_dict=True)
output = model.generate(**inputs, max_new_tokens=8, do_sample=False)
reply = tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)
tied = model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
print(json.dumps({{"reply": reply, "tied": tied}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**config.offline_env(), "PATH": "/usr/bin:/bin"},
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["tied"] is True
    assert "Paris" in outcome["reply"]


def test_extracted_tokenizer_matches_the_converted_models(with_converted_bundled, tmp_path):
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    write_gguf_tokenizer(catalog.bundled_gguf(), tmp_path / "extracted")
    extracted = (tmp_path / "extracted" / "tokenizer.json").read_text()
    # The same tokenizer transformers builds from the GGUF, byte for byte.
    assert json.loads(extracted) == json.loads(
        (with_converted_bundled / "tokenizer.json").read_text()
    )
    text = "<|im_start|>user\nHow many legs does a spider have? 8, I think. Ünïcödé 🕷<|im_end|>\n"
    assert Tokenizer.from_str(extracted).encode(text).ids == (
        Tokenizer.from_file(str(with_converted_bundled / "tokenizer.json")).encode(text).ids
    )
    # and its folder loads with AutoTokenizer, chat template included
    loaded = AutoTokenizer.from_pretrained(tmp_path / "extracted")
    chat = [{"role": "user", "content": "Hi"}]
    assert loaded.apply_chat_template(chat, tokenize=False) == AutoTokenizer.from_pretrained(
        with_converted_bundled
    ).apply_chat_template(chat, tokenize=False)
