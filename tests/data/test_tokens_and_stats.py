"""Token counts with a real tokenizer.json, the estimate, and the statistics built on them."""

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from services.data import TokenCounter, inspect_dataset
from services.data.tokens import MESSAGE_OVERHEAD
from services.errors import ModelError
from tests.conftest import ROOT
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


def test_every_real_row_counted_exactly_as_one_by_one(ultrachat_sample, tmp_path):
    from tokenizers import Tokenizer

    from services.local import catalog

    tokenizer_file = catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)
    rows = [json.loads(line) for line in ultrachat_sample.read_text().splitlines() if line]
    one_by_one = Tokenizer.from_file(str(tokenizer_file))
    expected = tuple(
        sum(
            len(one_by_one.encode(m["content"], add_special_tokens=False).ids) + MESSAGE_OVERHEAD
            for m in row["messages"]
        )
        for row in rows
    )
    counter = TokenCounter.from_file(tokenizer_file)
    as_lines = inspect_dataset(ultrachat_sample, counter).stats
    assert not as_lines.tokens_sampled and not as_lines.tokens_approximate
    assert as_lines.tokens == expected and len(expected) == 800
    parquet = tmp_path / "u.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=300)
    assert inspect_dataset(parquet, counter).stats.tokens == expected


def test_the_preview_never_loads_the_tokenizer(tmp_path):
    rows = [chat(f"q{i}", f"a{i}") for i in range(50)]
    jsonl = write_lines(tmp_path / "d.jsonl", rows)
    parquet = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=20)
    code = (
        "import json, sys\n"
        "from services.data import open_dataset\n"
        f"shown = [len(open_dataset(p).sample(5, seed=1)) for p in {[str(jsonl), str(parquet)]}]\n"
        "print(json.dumps({'shown': shown, 'tokenizers': 'tokenizers' in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == {"shown": [5, 5], "tokenizers": False}


def test_word_counts_match_the_tokenizer_on_hard_texts(monkeypatch):
    from tokenizers import Tokenizer

    from services.data import word_counts
    from services.local import catalog

    tokenizer = Tokenizer.from_file(str(catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)))
    words = word_counts.WordCounts.for_tokenizer(tokenizer)
    assert words is not None  # the bundled tokenizer is byte-level BPE: counted by word
    monkeypatch.setattr(word_counts, "MAX_WORDS", 8)  # forget words mid-batch too
    texts = [
        "Say <|im_end|> then <|im_start|>user, in the text itself.",
        "  leading and trailing spaces   \n\n\ttabs",
        "don't we'll I'M 12345 3.14 ünïcødé 文字 emoji 🙂🙂 ‽‽ <not_special>",
        "",
        "<|endoftext|>",
    ] * 3
    expected = [len(tokenizer.encode(text, add_special_tokens=False).ids) for text in texts]
    assert words.sizes(texts) == expected
    assert words.sizes(texts) == expected  # again, from remembered words
