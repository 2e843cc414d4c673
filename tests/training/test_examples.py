"""Conversations to examples: chat template, assistant-only labels, truncation, settings."""

from __future__ import annotations

import pytest
from transformers import AutoTokenizer

from services.training.conversations import read_conversations, split_for_eval
from services.training.examples import IGNORE_INDEX, PadToLongest, tokenize_conversation
from services.training.settings import TrainSettings, settings_from_params
from tests.training.tiny import conversations, write_jsonl

CHAT = [
    {"role": "user", "content": "What is 2 plus 3?"},
    {"role": "assistant", "content": "2 plus 3 is 5."},
    {"role": "user", "content": "And 4 plus 4?"},
    {"role": "assistant", "content": "8."},
]


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    return AutoTokenizer.from_pretrained(tiny_model)


def _learned_text(tokenizer, example) -> str:
    return tokenizer.decode([t for t in example["labels"] if t != IGNORE_INDEX])


def test_loss_only_on_assistant_turns(tokenizer):
    example = tokenize_conversation(tokenizer, CHAT, max_seq_length=512)
    assert example["input_ids"] == tokenizer.apply_chat_template(CHAT, tokenize=True)["input_ids"]
    assert _learned_text(tokenizer, example) == "2 plus 3 is 5.<|im_end|>\n8.<|im_end|>\n"
    assert example["attention_mask"] == [1] * len(example["input_ids"])


def test_truncation_at_max_seq_length(tokenizer):
    full = tokenize_conversation(tokenizer, CHAT, max_seq_length=512)
    cut = tokenize_conversation(tokenizer, CHAT, max_seq_length=len(full["input_ids"]) - 3)
    assert len(cut["input_ids"]) == len(full["input_ids"]) - 3
    assert cut["labels"] == full["labels"][:-3]


def test_a_conversation_cut_before_any_answer_is_dropped(tokenizer):
    assert tokenize_conversation(tokenizer, CHAT, max_seq_length=4) is None


def test_batches_are_padded_to_their_longest_example():
    batch = PadToLongest(pad_token_id=0)(
        [
            {"input_ids": [5, 6, 7], "attention_mask": [1, 1, 1], "labels": [-100, 6, 7]},
            {"input_ids": [5], "attention_mask": [1], "labels": [5]},
        ]
    )
    assert batch["input_ids"].tolist() == [[5, 6, 7], [5, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]
    assert batch["labels"].tolist() == [[-100, 6, 7], [5, -100, -100]]


def test_read_conversations_skips_invalid_rows_and_names_them(tmp_path, capsys):
    good = write_jsonl(tmp_path / "good.jsonl", conversations(3))
    assert [c[1]["role"] for c in read_conversations(good)] == ["assistant"] * 3
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + '{"prompt": "no messages"}\n')
    assert len(read_conversations(bad)) == 3  # skipped, as prepare skips it
    assert "skipped 1 invalid row(s) (line 4: no `messages`)" in capsys.readouterr().out
    none_valid = tmp_path / "none.jsonl"
    none_valid.write_text('{"prompt": "no messages"}\n')
    with pytest.raises(ValueError, match="no valid conversation.*line 1: no `messages`"):
        read_conversations(none_valid)


def test_split_for_eval_holds_out_a_reproducible_share():
    rows = list(range(100))
    train, held_out = split_for_eval(rows, 0.05, seed=1)
    assert len(held_out) == 5 and sorted(train + held_out) == rows
    assert split_for_eval(rows, 0.05, seed=1) == (train, held_out)
    assert len(split_for_eval(rows[:3], 0.05, seed=1)[1]) == 1  # at least one


def test_settings_accept_strings_and_keep_defaults():
    settings = settings_from_params(
        {
            "learning_rate": "5e-6",
            "apply_lora": "false",
            "lora_target_modules": "q_proj, k_proj,v_proj",
            "max_steps": "-1",
            "num_train_epochs": 3,
            "apply_deepspeed": "true",  # an Azure-only name is ignored
        }
    )
    assert settings.learning_rate == 5e-6
    assert settings.apply_lora is False
    assert settings.lora_target_modules == ("q_proj", "k_proj", "v_proj")
    assert settings.num_train_epochs == 3.0
    assert settings.seed == TrainSettings().seed
    assert settings_from_params({"lora_target_modules": ["o_proj"]}).lora_target_modules == (
        "o_proj",
    )
    with pytest.raises(ValueError, match="lora_r"):
        settings_from_params({"lora_r": "eight"})
