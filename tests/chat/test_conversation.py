"""Conversation helpers: what each endpoint is sent, test prompts, export."""

from __future__ import annotations

import json
import random

import pytest

from services.chat.conversation import grouped, latency_text, messages_for
from services.chat.export import conversation_json, conversation_markdown
from services.chat.test_prompts import random_test_prompt
from services.errors import DatasetError

HISTORY = [
    {"role": "user", "content": "Q1"},
    {"role": "assistant", "content": "A1 tuned", "endpoint": "tuned", "latency_s": 1.5},
    {"role": "assistant", "content": "A1 base", "endpoint": "base", "latency_s": 0.5},
    {"role": "user", "content": "Q2"},
]


def test_each_endpoint_sees_the_user_turns_and_only_its_own_replies():
    assert messages_for(HISTORY, "base", "Be brief.") == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Q1"},
        {"role": "assistant", "content": "A1 base"},
        {"role": "user", "content": "Q2"},
    ]
    assert [m["content"] for m in messages_for(HISTORY, "tuned")] == ["Q1", "A1 tuned", "Q2"]


def test_replies_to_the_same_prompt_are_grouped_side_by_side():
    assert [len(group) for group in grouped(HISTORY)] == [1, 2, 1]
    assert latency_text({"latency_s": 1.234, "first_token_s": 0.1, "endpoint": "e"}) == (
        "1.23 s · first token 0.10 s · e"
    )


def write_split(folder, name, rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))


def row(text):
    return {"prompt": text, "prompt_id": text, "messages": [{"role": "user", "content": text}]}


def test_test_prompt_prefers_test_gen_and_covers_every_row(studio_home):
    folder = studio_home / "datasets" / "demo"
    write_split(folder, "test_sft", [row("sft")])
    write_split(folder, "test_gen", [row(f"gen {n}") for n in range(5)] + [{"messages": []}])
    rng = random.Random(0)
    picked = {random_test_prompt(rng=rng).text for _ in range(60)}
    assert picked == {f"gen {n}" for n in range(5)}
    prompt = random_test_prompt(rng=rng)
    assert (prompt.dataset, prompt.split) == ("demo", "test_gen")


def test_test_prompt_falls_back_to_another_test_split_then_explains(studio_home):
    with pytest.raises(DatasetError, match="No prepared test split"):
        random_test_prompt()
    write_split(studio_home / "datasets" / "small", "test", [row("only")])
    assert random_test_prompt().text == "only"


def test_exports_carry_the_turns_settings_and_latency():
    parameters = {"temperature": 0.6}
    document = json.loads(conversation_json(HISTORY, system_prompt="S", parameters=parameters))
    assert document["system_prompt"] == "S" and document["parameters"] == parameters
    assert [t["content"] for t in document["turns"]] == ["Q1", "A1 tuned", "A1 base", "Q2"]
    markdown = conversation_markdown(HISTORY, system_prompt="S", parameters=parameters)
    assert "## Assistant (tuned)" in markdown and "_1.50 s_" in markdown
    assert "**System:** S" in markdown and "temperature=0.6" in markdown
