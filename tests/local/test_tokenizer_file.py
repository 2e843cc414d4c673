"""tokenizer_file: the bundled tokenizer extracted from the GGUF, fast, torch-free, atomically."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from services import config
from services.local import catalog
from tests.conftest import ROOT


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
    with pytest.raises(ValueError, match="not a GGUF file"):
        catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)
    bundled = config.models_dir() / catalog.BUNDLED_MODEL_ID
    assert [p.name for p in bundled.iterdir()] == [".tokenizer.lock"]


def test_two_callers_at_once_convert_once(monkeypatch):
    builds = []
    second_caller_started = threading.Event()
    real_write = catalog.write_gguf_tokenizer

    def first_waits_for_second(*args, **kwargs):
        builds.append(args)
        second_caller_started.wait(timeout=30)  # the second caller races this build
        real_write(*args, **kwargs)

    monkeypatch.setattr(catalog, "write_gguf_tokenizer", first_waits_for_second)
    results, errors = [], []

    def call(started: threading.Event | None = None):
        if started is not None:
            started.set()
        try:
            results.append(catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    first = threading.Thread(target=call)
    first.start()
    second = threading.Thread(target=call, args=(second_caller_started,))
    second.start()
    first.join(timeout=120)
    second.join(timeout=120)
    assert errors == []
    assert len(builds) == 1
    assert results[0] == results[1] and results[0].is_file()
