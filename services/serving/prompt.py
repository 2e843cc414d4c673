"""The token ids a chat model is given for a list of {"role", "content"} messages."""

from __future__ import annotations


def prompt_token_ids(tokenizer, messages: list[dict[str, str]]) -> list[int]:
    """The chat template with the assistant's turn opened; a plain transcript without one."""
    if tokenizer.chat_template:
        encoded = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_dict=True
        )
        return list(encoded["input_ids"])
    text = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"
    return list(tokenizer(text)["input_ids"])
