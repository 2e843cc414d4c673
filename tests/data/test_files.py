"""Opening files: formats, empty and binary files, seeded samples, a 100k-row file."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from services.data import inspect_dataset, open_dataset
from services.errors import DatasetError
from tests.data.conftest import chat, write_lines


def test_empty_file_is_not_a_dataset(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    with pytest.raises(DatasetError, match="empty"):
        open_dataset(path)


def test_blank_lines_only_is_empty(tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_text("\n  \n\r\n")
    with pytest.raises(DatasetError, match="empty"):
        open_dataset(path)


def test_binary_file_is_not_a_dataset(tmp_path):
    path = tmp_path / "image.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(DatasetError, match="binary"):
        open_dataset(path)


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="not a file"):
        open_dataset(tmp_path / "nope.jsonl")


def test_json_array_and_parquet_read_like_jsonl(tmp_path):
    rows = [chat(f"q{i}", f"a{i}") for i in range(5)] + [{"messages": []}]
    (tmp_path / "d.json").write_text(json.dumps(rows))
    pq.write_table(pa.Table.from_pylist(rows[:5]), tmp_path / "d.parquet")
    as_json = inspect_dataset(tmp_path / "d.json")
    as_parquet = inspect_dataset(tmp_path / "d.parquet")
    assert (as_json.format, as_json.rows, as_json.valid) == ("json", 6, 5)
    assert as_json.invalid[0].line == 6
    assert (as_parquet.format, as_parquet.rows, as_parquet.valid) == ("parquet", 5, 5)
    assert len(open_dataset(tmp_path / "d.parquet").sample(3, seed=1)) == 3


def test_broken_json_array_is_unreadable(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[{"messages": ')
    with pytest.raises(DatasetError, match="not valid JSON"):
        open_dataset(path)


def test_sample_is_seeded_and_skips_invalid_rows(tmp_path):
    rows = [chat(f"question {i}", f"answer {i}") if i % 2 else "not json" for i in range(40)]
    dataset = open_dataset(write_lines(tmp_path / "d.jsonl", rows))
    first = dataset.sample(5, seed=3)
    assert [c.line for c in first] == [c.line for c in dataset.sample(5, seed=3)]
    assert [c.line for c in first] != [c.line for c in dataset.sample(5, seed=4)]
    assert len({c.line for c in first}) == 5
    for conversation in first:
        assert conversation.line % 2 == 0  # odd i is written on even line i + 1
        assert conversation.messages[0]["content"] == f"question {conversation.line - 1}"


def test_sample_returns_what_there_is(tmp_path):
    rows = ["bad"] * 300 + [chat("q", "a")] + ["bad"] * 300
    dataset = open_dataset(write_lines(tmp_path / "d.jsonl", rows))
    assert [c.line for c in dataset.sample(5, seed=0)] == [301]


def test_100k_row_file(tmp_path):
    path = tmp_path / "big.jsonl"
    good = json.dumps(chat("How are you?", "Fine, thanks.", "Sure?", "Yes."))
    with open(path, "w") as handle:
        for i in range(100_000):
            handle.write(('{"messages": 1}' if i % 10_000 == 0 else good) + "\n")
    dataset = open_dataset(path)
    assert dataset.row_count == 100_000
    sample = dataset.sample(10, seed=0)
    assert len(sample) == 10
    report = inspect_dataset(dataset)
    assert report.rows == 100_000
    assert [row.line for row in report.invalid] == list(range(1, 100_000, 10_000))
    assert report.stats.conversations == 99_990
    assert set(report.stats.turns) == {4}
