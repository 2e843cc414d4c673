"""The bundled SmolLM2: converted once from its GGUF, tokenizer extracted fast, atomically."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from services import config
from services.errors import ModelError
from services.local import catalog, model_cache
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

    monkeypatch.setattr(model_cache, "_run_converter", no_conversion)
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


def test_tokenizer_file_is_extracted_without_torch_in_the_caller():
    code = (
        "import json, sys, time\n"
        "from services.local import catalog\n"
        "started = time.perf_counter()\n"
        "path = catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)\n"
        "seconds = time.perf_counter() - started\n"
        "print(json.dumps({'path': str(path), 'seconds': seconds,\n"
        "                  'torch': 'torch' in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    print(f"\ntokenizer_file (first call, extraction) took {report['seconds']:.2f} s")
    assert report["torch"] is False
    path = catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)  # cached: same file
    assert str(path) == report["path"]
    assert path.parent == config.models_dir() / catalog.BUNDLED_MODEL_ID / "tokenizer"

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    assert tokenizer.encode("<|im_start|>user\nHi<|im_end|>").ids[0] == 1
    assert tokenizer.get_vocab_size() == 49152


def test_extracted_tokenizer_matches_the_converted_models(with_converted_bundled):
    from tokenizers import Tokenizer

    extracted = model_cache.ensure_converted(
        config.models_dir() / "extracted",
        ["tokenizer", "--gguf", str(catalog.bundled_gguf())],
        what="tokenizer",
        timeout_s=120,
    )
    text = "<|im_start|>user\nHow many legs does a spider have? 8, I think.<|im_end|>\n"
    converted = Tokenizer.from_file(str(with_converted_bundled / "tokenizer.json"))
    assert Tokenizer.from_file(str(extracted / "tokenizer.json")).encode(text).ids == (
        converted.encode(text).ids
    )


def test_an_interrupted_conversion_is_not_reused():
    bundled = config.models_dir() / catalog.BUNDLED_MODEL_ID
    stale = bundled / ".tokenizer.tmp-12345"
    stale.mkdir(parents=True)
    (stale / "tokenizer.json").write_text("{half a file")
    path = catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)
    assert path == bundled / "tokenizer" / "tokenizer.json"
    assert json.loads(path.read_text())["model"]["type"] == "BPE"
    assert not stale.exists()


def test_a_failed_conversion_leaves_nothing_behind(monkeypatch, tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf at all")
    monkeypatch.setattr(catalog, "bundled_gguf", lambda: broken)
    with pytest.raises(ModelError, match="Converting the tokenizer"):
        catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)
    bundled = config.models_dir() / catalog.BUNDLED_MODEL_ID
    assert [p.name for p in bundled.iterdir()] == [".tokenizer.lock"]


def test_two_callers_at_once_convert_once(monkeypatch):
    runs = []
    real_run = model_cache._run_converter

    def counting(*args, **kwargs):
        runs.append(time.monotonic())
        real_run(*args, **kwargs)

    monkeypatch.setattr(model_cache, "_run_converter", counting)
    results, errors = [], []

    def call():
        try:
            results.append(catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(runs) == 1
    assert results[0] == results[1] and results[0].is_file()
