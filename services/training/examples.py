"""Conversations to training examples: chat template, loss on assistant tokens only.

Each conversation is rendered with the tokenizer's chat template and tokenized once; tokens
outside the assistant turns get label -100, so the loss is computed on what the model should
say, not on the prompts. Examples are cut at max_seq_length and padded per batch to the
longest example in it (no padding to a fixed length).
"""

from __future__ import annotations

import logging

import torch

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100


def _render(tokenizer, messages: list[dict], generation_prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=generation_prompt
    )


def assistant_spans(tokenizer, messages: list[dict], text: str) -> list[tuple[int, int]] | None:
    """Character spans of the assistant turns in `text` (the whole rendered conversation).

    A turn's span runs from the end of the prompt before it (generation prompt included) to
    the end of the turn (its end-of-turn token included, so the model learns to stop).
    None when the template does not render conversations as growing prefixes.
    """
    spans = []
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = _render(tokenizer, messages[:index], True) if index else ""
        through = _render(tokenizer, messages[: index + 1])
        if not (text.startswith(before) and text.startswith(through)):
            return None
        spans.append((len(before), len(through)))
    return spans


def tokenize_conversation(tokenizer, messages: list[dict], max_seq_length: int) -> dict | None:
    """input_ids, attention_mask and labels for one conversation; None if nothing to learn.

    Nothing to learn: no assistant token survives the cut at max_seq_length.
    """
    text = _render(tokenizer, messages)
    encoded = tokenizer(
        text,
        add_special_tokens=False,  # the template already wrote any BOS
        return_offsets_mapping=True,
        truncation=True,
        max_length=max_seq_length,
    )
    input_ids = list(encoded["input_ids"])
    spans = assistant_spans(tokenizer, messages, text)
    if spans is None:
        labels = input_ids[:]  # template is not prefix-stable: learn every token
    else:
        labels = [
            token if any(start <= begin < end for start, end in spans) else IGNORE_INDEX
            for token, (begin, _) in zip(input_ids, encoded["offset_mapping"], strict=True)
        ]
    if all(label == IGNORE_INDEX for label in labels):
        return None
    return {"input_ids": input_ids, "attention_mask": [1] * len(input_ids), "labels": labels}


def tokenize_all(tokenizer, conversations: list, max_seq_length: int) -> list[dict]:
    examples = [tokenize_conversation(tokenizer, c, max_seq_length) for c in conversations]
    kept = [example for example in examples if example is not None]
    if len(kept) < len(examples):
        logger.warning(
            "skipped %d of %d conversations with no assistant tokens within %d tokens",
            len(examples) - len(kept),
            len(examples),
            max_seq_length,
        )
    return kept


class PadToLongest:
    """Collate examples into a batch padded to its longest example (labels padded -100)."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id

    def __call__(self, features: list[dict]) -> dict[str, torch.Tensor]:
        longest = max(len(f["input_ids"]) for f in features)
        pads = {"input_ids": self.pad_token_id, "attention_mask": 0, "labels": IGNORE_INDEX}
        return {
            key: torch.tensor([f[key] + [pad] * (longest - len(f[key])) for f in features])
            for key, pad in pads.items()
        }
