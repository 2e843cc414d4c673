"""Reading replies: every shape Azure ML chat deployments have answered with, plus our SSE.

Current managed online endpoints answer {"output": "..."}; older images answered a bare string,
[{"0": "..."}], {"0": "..."} or [{"output": "..."}]. All of them mean the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from services.errors import EndpointError


def reply_text(payload: Any) -> str:
    """The assistant's text in any of the five response shapes; EndpointError otherwise."""
    if isinstance(payload, str):
        nested = _json_or_none(payload)  # some deployments return their JSON as a JSON string
        return reply_text(nested) if isinstance(nested, (dict, list)) else payload
    if isinstance(payload, list) and len(payload) == 1:
        return reply_text(payload[0])
    if isinstance(payload, dict):
        for key in ("output", "0"):
            if isinstance(payload.get(key), str):
                return payload[key]
    raise EndpointError(
        f"The endpoint answered in a shape this studio does not know: {_preview(payload)}",
        'Expected {"output": "..."}; check that the deployment serves a chat-completion model.',
    )


def server_events(lines: Iterable[bytes | str]) -> Iterator[dict]:
    """Decoded `data: {...}` events of a Server-Sent Events body."""
    for line in lines:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        if not text.startswith("data:"):
            continue
        data = text[len("data:") :].strip()
        if data == "[DONE]":
            return
        event = _json_or_none(data)
        if isinstance(event, dict):
            yield event


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _preview(payload: Any, limit: int = 200) -> str:
    text = json.dumps(payload, default=str)
    return text if len(text) <= limit else text[:limit] + "…"
