"""Hub ids fail within seconds, pointing to the demo data or a local file, when the hub is away."""

import socket
import time

import pytest

from services.data import prepare
from services.data.hub import fetch_hub_split, load_hub_split
from services.errors import HubUnreachableError

# Without the offline flags `datasets` retries for ~49 s; "fast" here means well under that.
FAST_S = 20


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_mode_fails_fast_with_a_way_out(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(HubUnreachableError) as caught:
        load_hub_split("HuggingFaceH4/ultrachat_200k", "test_sft", 5)
    assert time.monotonic() - started < FAST_S
    assert "not reachable" in caught.value.message
    assert "demo dataset" in caught.value.hint and "local" in caught.value.hint


def test_unreachable_hub_without_offline_flags_fails_fast(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    with pytest.raises(HubUnreachableError) as caught:
        prepare("HuggingFaceH4/ultrachat_200k", tmp_path / "out")
    assert time.monotonic() - started < FAST_S
    assert "127.0.0.1" in caught.value.message
    assert "demo dataset" in caught.value.hint
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_fetch_for_preview_writes_nothing_when_offline(monkeypatch, studio_home):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubUnreachableError):
        fetch_hub_split("HuggingFaceH4/ultrachat_200k", "test_sft", 5)
    assert not list((studio_home / "hub-cache").rglob("*.jsonl"))
