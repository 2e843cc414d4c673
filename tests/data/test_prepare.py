"""prepare: train/test splits from a file, hub splits, prompt ids, atomic writes, listing."""

import hashlib
import json

import pytest

from services import config
from services.data import list_prepared, preparation, prepare, prepare_demo, read_prepared
from services.data.hub import ULTRACHAT_SPLITS
from services.errors import DatasetError
from tests.data.conftest import chat, write_lines


def read_rows(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_file_is_split_into_train_and_test(tmp_path):
    rows = [chat(f"question {i}", f"answer {i}") for i in range(50)] + ["broken"]
    rows[0]["prompt"], rows[0]["prompt_id"] = "kept prompt", "kept-id"
    source = write_lines(tmp_path / "chats.jsonl", rows)
    prepared = prepare(str(source), tmp_path / "out", test_fraction=0.2, seed=1)
    assert (prepared.train_split, prepared.test_split) == ("train", "test")
    assert prepared.rows == {"train": 40, "test": 10}
    train, test = read_rows(prepared.train_file), read_rows(prepared.test_file)
    prompts = {row["prompt"] for row in train + test}
    assert len(prompts) == 50  # every valid row once, the broken one skipped
    for row in train + test:
        if row["prompt"] == "kept prompt":
            assert row["prompt_id"] == "kept-id"
        else:
            assert row["prompt"] == row["messages"][0]["content"]
            assert row["prompt_id"] == hashlib.sha256(row["prompt"].encode()).hexdigest()
    manifest = json.loads((tmp_path / "out" / "dataset.json").read_text())
    assert manifest["skipped_invalid"] == 1
    again = prepare(str(source), tmp_path / "again", test_fraction=0.2, seed=1)
    assert read_rows(again.test_file) == test  # seeded


def test_failure_mid_write_leaves_no_half_written_split(tmp_path, monkeypatch):
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", f"a{i}") for i in range(30)])
    out = tmp_path / "out"
    before = prepare(str(source), out, test_fraction=0.5)
    old_train = (out / "train.jsonl").read_bytes()
    calls = {"n": 0}
    real = preparation.with_prompt

    def fail_after_some_rows(row):
        calls["n"] += 1
        if calls["n"] > 20:
            raise OSError("disk full")
        return real(row)

    monkeypatch.setattr(preparation, "with_prompt", fail_after_some_rows)
    with pytest.raises(OSError, match="disk full"):
        prepare(str(source), out, test_fraction=0.2)
    # The earlier, complete preparation is untouched; no temporary file is left behind.
    assert sorted(p.name for p in out.iterdir()) == ["dataset.json", "test.jsonl", "train.jsonl"]
    assert (out / "train.jsonl").read_bytes() == old_train
    assert read_prepared(out).rows == before.rows

    fresh = tmp_path / "fresh"
    calls["n"] = 0
    with pytest.raises(OSError):
        prepare(str(source), fresh, test_fraction=0.2)
    assert list(fresh.glob("*.jsonl")) == []
    assert list(fresh.iterdir()) == []


def test_hub_source_keeps_each_split(tmp_path, monkeypatch):
    loaded = []

    def fake_load(dataset_id, split, split_pc):
        loaded.append((dataset_id, split, split_pc))
        return [chat(f"{split} q{i}", "a") for i in range(3)] + [{"messages": []}]

    monkeypatch.setattr("services.data.hub.load_hub_split", fake_load)
    monkeypatch.setattr("services.data.hub.check_hub_reachable", lambda dataset_id: None)
    prepared = prepare("HuggingFaceH4/ultrachat_200k", tmp_path / "uc", split_pc=5)
    assert loaded == [("HuggingFaceH4/ultrachat_200k", s, 5) for s in ULTRACHAT_SPLITS]
    assert prepared.rows == {split: 3 for split in ULTRACHAT_SPLITS}
    assert (prepared.train_split, prepared.test_split) == ("train_sft", "test_sft")
    row = read_rows(prepared.split("test_gen").path)[0]
    assert row["prompt"] == "test_gen q0"
    assert len(row["prompt_id"]) == 64


@pytest.mark.parametrize("split_pc", [0, 101, 2.5])
def test_split_pc_must_be_a_whole_percent(tmp_path, split_pc):
    with pytest.raises(DatasetError, match="split_pc"):
        prepare("HuggingFaceH4/ultrachat_200k", tmp_path / "x", split_pc=split_pc)


def test_too_few_valid_rows(tmp_path):
    source = write_lines(tmp_path / "one.jsonl", [chat("q", "a"), "bad"])
    with pytest.raises(DatasetError, match="at least 2"):
        prepare(str(source), tmp_path / "out")


def test_prepare_demo_is_listed_for_training():
    demo = prepare_demo()
    assert demo.folder == str(config.datasets_dir() / "demo")
    assert demo.source == "demo"
    assert demo.rows["train"] >= 50 and demo.rows["test"] >= 9
    (config.datasets_dir() / "not-a-dataset").mkdir()
    (config.datasets_dir() / ".partial").mkdir()
    [listed] = list_prepared()
    assert listed == demo
    assert listed.train_file.endswith("demo/train.jsonl")


def test_reprepare_drops_splits_of_the_earlier_run(tmp_path, monkeypatch):
    out = tmp_path / "ds"
    monkeypatch.setattr(
        "services.data.hub.load_hub_split", lambda *a: [chat("q", "a"), chat("q2", "a2")]
    )
    monkeypatch.setattr("services.data.hub.check_hub_reachable", lambda dataset_id: None)
    prepare("HuggingFaceH4/ultrachat_200k", out)
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(10)])
    prepared = prepare(str(source), out)
    assert sorted(p.name for p in out.glob("*.jsonl")) == ["test.jsonl", "train.jsonl"]
    assert (prepared.train_split, prepared.test_split) == ("train", "test")


def test_a_missing_file_is_not_taken_for_a_hub_id():
    with pytest.raises(DatasetError, match="not a file"):
        prepare("data/chats.jsonl")
