"""Fixtures for the local catalog: a tiny model folder, the bundled model converted once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

TINY_CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


@pytest.fixture(scope="session")
def tiny_model_template(tmp_path_factory) -> Path:
    """A random 2-layer Llama saved with save_pretrained, plus a word-level tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny") / "tiny-llama"
    words = ["<unk>", "<|end|>", "<|user|>", "<|assistant|>", "hello", "world", "how", "are"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="<unk>", eos_token="<|end|>", pad_token="<|end|>"
    )
    tokenizer.chat_template = TINY_CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(words),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
    )
    model = LlamaForCausalLM(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / "expected.json").write_text(json.dumps({"parameters": model.num_parameters()}))
    return folder


@pytest.fixture
def tiny_model(tiny_model_template, tmp_path) -> Path:
    """A copy per test, so a test may break it."""
    import shutil

    return Path(shutil.copytree(tiny_model_template, tmp_path / "tiny-llama"))


@pytest.fixture(scope="session")
def converted_bundled_home(tmp_path_factory) -> tuple[Path, float]:
    """A STUDIO_HOME in which the bundled GGUF was converted once (the real conversion).

    Runs the catalog in a child process, as the app and the training worker would, and
    returns the home and the seconds the conversion took.
    """
    home = tmp_path_factory.mktemp("bundled-home")
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    code = "from services.local import catalog; print(catalog.model_path(catalog.BUNDLED_MODEL_ID))"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    print(f"\nbundled SmolLM2 conversion took {seconds:.1f} s")
    return home, seconds


@pytest.fixture
def with_converted_bundled(converted_bundled_home, studio_home) -> Path:
    """This test's STUDIO_HOME sees the session's converted model (a symlink, not a copy)."""
    from services import config
    from services.local import catalog

    shared = converted_bundled_home[0] / "models" / catalog.BUNDLED_MODEL_ID
    link = config.models_dir() / catalog.BUNDLED_MODEL_ID
    link.symlink_to(shared, target_is_directory=True)
    return link / "model"
