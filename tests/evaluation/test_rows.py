"""Row selection: seeded, prompt up to the last user turn, reference the reply after it."""

from __future__ import annotations

import json

import pytest

from services.evaluation.errors import EvaluationError
from services.evaluation.rows import select_rows, split_prompt


def _write(path, conversations):
    path.write_text("".join(json.dumps({"messages": m}) + "\n" for m in conversations))
    return path


def test_prompt_ends_at_the_last_user_turn_with_a_reply():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "Thanks"},  # no reply follows: not the prompt's end
    ]
    prompt, reference = split_prompt(messages)
    assert prompt == messages[:4] and reference == "Paris."
    assert split_prompt([{"role": "user", "content": "Hi"}]) is None


def test_sample_is_seeded_and_capped(tmp_path):
    chats = [
        [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]
        for i in range(20)
    ]
    path = _write(tmp_path / "test.jsonl", chats)
    first = select_rows(path, rows=5, seed=3)
    assert [r.index for r in first] == [r.index for r in select_rows(path, rows=5, seed=3)]
    assert [r.index for r in first] != [r.index for r in select_rows(path, rows=5, seed=4)]
    assert all(r.reference == f"a{r.index}" for r in first)
    assert len(select_rows(path, rows=100)) == 20


def test_clear_errors_for_missing_split_and_no_replies(tmp_path):
    with pytest.raises(EvaluationError, match="no test split") as error:
        select_rows("")
    assert "test split" in error.value.hint
    # Rows without an assistant turn are invalid to the shared reader, which names each one.
    path = _write(tmp_path / "t.jsonl", [[{"role": "user", "content": "Hi"}]] * 3)
    with pytest.raises(EvaluationError, match="no assistant turn") as error:
        select_rows(path)
    assert "assistant reply" in error.value.hint


def test_rows_from_real_ultrachat(ultrachat_sample):
    rows = select_rows(ultrachat_sample, rows=50, seed=0)
    assert len(rows) == 50 and len({r.index for r in rows}) == 50
    for row in rows:
        assert row.prompt[-1]["role"] == "user"
        assert row.reference.strip()
        assert len(row.prompt) % 2 == 1  # user, assistant, ..., user
