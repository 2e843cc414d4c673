"""Export a conversation for demo notes: markdown to read, JSON to keep.

A turn is {"role": "user"|"assistant", "content": str} plus, for replies, "endpoint" and
"latency_s". Compare mode stores one assistant turn per endpoint after the same user turn.
"""

from __future__ import annotations

import json
import time
from typing import Any

TURN_FIELDS = ("role", "content", "endpoint", "latency_s", "first_token_s")


def conversation_json(
    turns: list[dict[str, Any]], *, system_prompt: str = "", parameters: dict | None = None
) -> str:
    document = {
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "system_prompt": system_prompt,
        "parameters": parameters or {},
        "turns": [{k: turn[k] for k in TURN_FIELDS if k in turn} for turn in turns],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def conversation_markdown(
    turns: list[dict[str, Any]], *, system_prompt: str = "", parameters: dict | None = None
) -> str:
    lines = ["# Conversation", "", f"Exported {time.strftime('%Y-%m-%d %H:%M')}", ""]
    if parameters:
        settings = ", ".join(f"{name}={value}" for name, value in parameters.items())
        lines += [f"Parameters: {settings}", ""]
    if system_prompt:
        lines += ["**System:** " + system_prompt, ""]
    for turn in turns:
        if turn["role"] == "user":
            lines += ["## User", "", turn["content"], ""]
            continue
        heading = f"## Assistant ({turn['endpoint']})" if turn.get("endpoint") else "## Assistant"
        lines += [heading, "", turn["content"], ""]
        if turn.get("latency_s") is not None:
            lines += [f"_{turn['latency_s']:.2f} s_", ""]
    return "\n".join(lines)
