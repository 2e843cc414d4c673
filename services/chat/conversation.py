"""A chat history that one or two endpoints share (compare mode) and what each one is sent.

A turn is a dict (it lives in Streamlit session state and is exported as is):
{"role": "user", "content"} or {"role": "assistant", "content", "endpoint", "latency_s",
"first_token_s", "request", "response"}.
"""

from __future__ import annotations

from typing import Any

from services.chat.client import ChatReply


def messages_for(
    history: list[dict[str, Any]], endpoint: str, system_prompt: str = ""
) -> list[dict[str, str]]:
    """The scoring-contract messages for `endpoint`: user turns and that endpoint's replies."""
    messages = [{"role": "system", "content": system_prompt}] if system_prompt.strip() else []
    for turn in history:
        if turn["role"] == "user" or turn.get("endpoint") == endpoint:
            messages.append({"role": turn["role"], "content": turn["content"]})
    return messages


def assistant_turn(endpoint: str, reply: ChatReply) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": reply.text,
        "endpoint": endpoint,
        "latency_s": round(reply.latency_s, 3),
        "first_token_s": round(reply.first_token_s, 3) if reply.first_token_s else None,
        "request": reply.request,
        "response": reply.raw_response,
    }


def latency_text(turn: dict[str, Any]) -> str:
    parts = [f"{turn['latency_s']:.2f} s"]
    if turn.get("first_token_s"):
        parts.append(f"first token {turn['first_token_s']:.2f} s")
    if turn.get("endpoint"):
        parts.append(turn["endpoint"])
    return " · ".join(parts)


def grouped(history: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Turns grouped for display: each user turn alone, consecutive replies together."""
    groups: list[list[dict[str, Any]]] = []
    for turn in history:
        if turn["role"] == "assistant" and groups and groups[-1][0]["role"] == "assistant":
            groups[-1].append(turn)
        else:
            groups.append([turn])
    return groups
