"""The bundled demo dataset: enough varied, valid, multi-turn ultrachat conversations."""

import hashlib

from services.data import demo_file, inspect_dataset
from services.data.demo import demo_conversations


def test_demo_is_valid_varied_and_multi_turn():
    rows = demo_conversations()
    report = inspect_dataset(demo_file())
    assert report.rows == len(rows) >= 60
    assert report.invalid == ()
    assert len({row["prompt"] for row in rows}) == len(rows)
    assert sum(1 for row in rows if row["messages"][0]["role"] == "system") >= 10
    assert min(report.stats.turns) >= 2 and max(report.stats.turns) >= 6
    assert sum(1 for turns in report.stats.turns if turns >= 4) >= 0.7 * len(rows)
    for row in rows:
        assert row["prompt_id"] == hashlib.sha256(row["prompt"].encode()).hexdigest()


def test_demo_is_deterministic_and_written_once():
    assert demo_conversations() == demo_conversations()
    path = demo_file()
    first = path.stat().st_mtime_ns
    assert demo_file().stat().st_mtime_ns == first  # unchanged content: not rewritten


def test_generated_answers_are_correct():
    answers = {
        row["messages"][-3]["content"]: row["messages"][-1]["content"]
        for row in demo_conversations()
        if row["messages"][-1]["content"].startswith("It returns")
    }
    assert answers  # the Python family is there
    arithmetic = [
        row
        for row in demo_conversations()
        if row["prompt"].startswith("What is ") and row["prompt"].rstrip("?").split()[-1].isdigit()
    ]
    for row in arithmetic:
        words = row["prompt"].rstrip("?").split()
        a, b = int(words[2]), int(words[-1])
        expected = a + b if "+" in words else a - b
        assert row["messages"][-3]["content"].endswith(f"= {expected}.")
