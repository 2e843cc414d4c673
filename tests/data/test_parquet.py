"""Parquet files read by row group: a sample reads one window, a full pass streams batches,
and Arrow's proof of validity agrees with the Python rules row for row."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from services.data import TokenCounter, inspect_dataset, open_dataset
from services.data import files as files_module
from services.data.columns import check_batch
from services.data.validation import check_row
from tests.data.conftest import chat, write_lines

GROUP_ROWS = 300
TRICKY = [
    chat("hello", "a b c", system="s"),
    chat("one", "two", "three", "four"),
    chat("only a question"),
    chat(" \x1c\u3000", "whitespace only, for str.strip()"),
    {"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "yo"}]},
    {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None}]},
    {"messages": [{"role": None, "content": "hi"}, {"role": "assistant", "content": "yo"}]},
    {"messages": []},
    {"messages": None},
    {"messages": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}]},
    {"messages": [*chat("a", "b")["messages"], {"role": "system", "content": "late"}]},
    chat("ünïcode ✓", "文字"),
]


def write_parquet(path, rows, group_rows=GROUP_ROWS):
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=group_rows)
    return path


def test_arrow_proof_agrees_with_the_python_rules():
    checked = check_batch(pa.RecordBatch.from_pylist(TRICKY))
    assert checked.proven.tolist() == [check_row(row) is None for row in TRICKY]
    assert checked.proven.tolist() == [True, True] + [False] * 9 + [True]
    assert checked.turns[checked.proven].tolist() == [2, 4, 2]
    assert checked.chars[checked.proven].tolist() == [1 + 5 + 5, 3 + 3 + 5 + 4, 9 + 2]


def test_a_sample_reads_one_window_of_the_first_row_group(tmp_path, monkeypatch):
    rows = [chat(f"question {i}", f"answer {i}") for i in range(5 * GROUP_ROWS)]
    path = write_parquet(tmp_path / "d.parquet", rows)
    read = []
    original = pq.ParquetFile.iter_batches

    def recording(self, batch_size=65536, row_groups=None, **kwargs):
        read.append((batch_size, row_groups))
        return original(self, batch_size=batch_size, row_groups=row_groups, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", recording)
    monkeypatch.setattr(pq.ParquetFile, "read", None)  # never the whole table
    monkeypatch.setattr(pq.ParquetFile, "read_row_group", None)
    dataset = open_dataset(path)
    assert dataset.groups == 5 and dataset.row_count == 5 * GROUP_ROWS and read == []
    first = dataset.sample(5, seed=0)
    assert read == [(files_module.WINDOW_ROWS, [0])]
    assert len({c.line for c in first}) == 5 and all(c.line <= GROUP_ROWS for c in first)
    for conversation in first:
        assert conversation.messages[0]["content"] == f"question {conversation.line - 1}"
    assert [c.line for c in dataset.sample(5, seed=0)] == [c.line for c in first]
    assert len(read) == 1  # the page's reruns draw again from the cached window
    other = dataset.sample(5, seed=7)
    assert len(read) == 2 and len(read[1][1]) == 1  # one more window, of one group
    group = read[1][1][0]
    assert all(group * GROUP_ROWS < c.line <= (group + 1) * GROUP_ROWS for c in other)


def test_a_window_without_enough_valid_rows_moves_to_the_next_group(tmp_path):
    rows = [{"messages": []}] * GROUP_ROWS + [chat("q", "a")] * GROUP_ROWS
    dataset = open_dataset(write_parquet(tmp_path / "d.parquet", rows))
    lines = [c.line for c in dataset.sample(3, seed=0)]
    assert len(lines) == 3 and all(line > GROUP_ROWS for line in lines)


def test_full_pass_over_row_groups_matches_the_same_rows_as_json_lines(
    tmp_path, tiny_tokenizer, monkeypatch
):
    monkeypatch.setattr(files_module, "BATCH_ROWS", 64)  # many batches, some all valid
    rows = [TRICKY[i % len(TRICKY)] if i % 7 == 0 else chat(f"q {i}", "a") for i in range(900)]
    counter = TokenCounter.from_file(tiny_tokenizer)
    as_parquet = inspect_dataset(write_parquet(tmp_path / "d.parquet", rows), counter)
    as_lines = inspect_dataset(write_lines(tmp_path / "d.jsonl", rows), counter)
    assert as_parquet.rows == as_lines.rows == 900
    assert as_parquet.invalid == as_lines.invalid and len(as_parquet.invalid) > 50
    assert as_parquet.stats.turns == as_lines.stats.turns
    assert as_parquet.stats.chars == as_lines.stats.chars
    assert as_parquet.stats.tokens == as_lines.stats.tokens
    assert len(as_parquet.stats.tokens) == as_parquet.valid
    assert len(list(open_dataset(tmp_path / "d.parquet").iter_batches())) == 900 // 64 + 1
    # The estimate counts characters: Arrow's (parquet) as Python's (JSON lines), non-ASCII too.
    estimated = inspect_dataset(tmp_path / "d.parquet").stats
    assert estimated.tokens == inspect_dataset(tmp_path / "d.jsonl").stats.tokens
    assert estimated.tokens_approximate


def test_other_column_types_are_checked_in_python(tmp_path):
    rows = [
        {"messages": [{"role": "user", "content": n}, {"role": "assistant", "content": n}]}
        for n in range(3)
    ]
    report = inspect_dataset(write_parquet(tmp_path / "d.parquet", rows))
    assert [(row.line, row.code) for row in report.invalid] == [
        (1, "not_text"),
        (2, "not_text"),
        (3, "not_text"),
    ]


def test_a_damaged_parquet_file_is_unreadable(tmp_path):
    path = write_parquet(tmp_path / "d.parquet", [chat("q", "a")] * 10)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(Exception, match="not a readable parquet file"):
        open_dataset(path)


def test_rows_of_a_json_lines_twin_read_alike(tmp_path):
    rows = [chat(f"q{i}", f"a{i}") for i in range(2 * GROUP_ROWS + 5)]
    dataset = open_dataset(write_parquet(tmp_path / "d.parquet", rows))
    assert [json.dumps(value) for _, value, _ in dataset.iter_rows()] == [
        json.dumps(row) for row in rows
    ]
    assert dataset.read_row(GROUP_ROWS + 2) == (GROUP_ROWS + 3, rows[GROUP_ROWS + 2], None)
