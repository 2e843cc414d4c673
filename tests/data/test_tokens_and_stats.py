"""Token counts with a real tokenizer.json, the estimate, and the statistics built on them."""

import pytest

from services.data import TokenCounter, inspect_dataset
from services.data.tokens import MESSAGE_OVERHEAD
from services.errors import ModelError
from tests.data.conftest import chat, write_lines


def test_tokenizer_file_counts_exactly(tiny_tokenizer):
    counter = TokenCounter.from_file(tiny_tokenizer)
    assert not counter.approximate
    counts = counter.count([chat("hello hello world", "hi")["messages"]])
    assert counts == [3 + 1 + 2 * MESSAGE_OVERHEAD]


def test_estimate_says_it_is_approximate():
    counter = TokenCounter.estimate()
    assert counter.approximate
    assert counter.count([chat("x" * 40, "y" * 4)["messages"]]) == [10 + 1 + 2 * MESSAGE_OVERHEAD]


def test_unreadable_tokenizer_file(tmp_path):
    path = tmp_path / "tokenizer.json"
    path.write_text("{}")
    with pytest.raises(ModelError, match="Cannot load the tokenizer"):
        TokenCounter.from_file(path)


def test_statistics_per_conversation(tmp_path, tiny_tokenizer):
    rows = [
        chat("hello", "a b c", system="s"),
        chat("one two", "three", "four", "five six seven"),
        "broken",
    ]
    report = inspect_dataset(
        write_lines(tmp_path / "d.jsonl", rows), TokenCounter.from_file(tiny_tokenizer)
    )
    stats = report.stats
    assert report.rows == 3 and report.valid == 2
    assert stats.turns == (2, 4)
    assert stats.chars == (1 + 5 + 5, 7 + 5 + 4 + 14)
    assert stats.tokens == (1 + 1 + 3 + 3 * MESSAGE_OVERHEAD, 2 + 1 + 1 + 3 + 4 * MESSAGE_OVERHEAD)
    assert not stats.tokens_approximate
    assert stats.share_longer_than(stats.tokens[0]) == 0.5
    assert stats.share_longer_than(1000) == 0.0
    summary = report.to_dict(max_seq_length=20)["stats"]
    assert summary["share_longer_than_max_seq_length"] == 0.5
    assert summary["turns"]["max"] == 4


def test_large_files_count_tokens_on_a_seeded_sample(tmp_path, tiny_tokenizer):
    rows = [chat("w " * (i + 1), "a") for i in range(30)]
    path = write_lines(tmp_path / "d.jsonl", rows)
    counter = TokenCounter.from_file(tiny_tokenizer)
    report = inspect_dataset(path, counter, token_sample=10)
    stats = report.stats
    assert stats.tokens_sampled and len(stats.tokens) == 10 and len(stats.turns) == 30
    assert len(set(stats.tokens)) == 10  # ten different rows
    assert inspect_dataset(path, counter, token_sample=10).stats.tokens == stats.tokens
    everything = inspect_dataset(path, counter, token_sample=None).stats
    assert not everything.tokens_sampled and len(everything.tokens) == 30
    assert set(stats.tokens) <= set(everything.tokens)
    estimate = inspect_dataset(path, token_sample=10).stats  # the estimate is cheap: all rows
    assert not estimate.tokens_sampled and len(estimate.tokens) == 30
