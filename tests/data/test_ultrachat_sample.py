"""The real ultrachat_200k rows in ../shared (skipped when absent)."""

import hashlib
import json

from services.data import inspect_dataset, open_dataset, prepare


def test_every_real_row_is_valid(ultrachat_sample):
    report = inspect_dataset(ultrachat_sample)
    assert report.rows == 800 and report.invalid == ()
    assert min(report.stats.turns) >= 4 and max(report.stats.turns) <= 10
    assert report.stats.tokens_approximate


def test_sample_and_prepare_real_rows(ultrachat_sample, tmp_path):
    sample = open_dataset(ultrachat_sample).sample(5, seed=42)
    assert len(sample) == 5
    assert all(c.messages[0]["role"] == "user" for c in sample)
    prepared = prepare(str(ultrachat_sample), tmp_path / "uc", test_fraction=0.1)
    assert prepared.rows == {"train": 720, "test": 80}
    with open(prepared.test_file, encoding="utf-8") as handle:
        row = json.loads(handle.readline())
    assert row["prompt"] == row["messages"][0]["content"]
    assert row["prompt_id"] == hashlib.sha256(row["prompt"].encode("utf-8")).hexdigest()
