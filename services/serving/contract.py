"""The Azure ML scoring contract as a local endpoint reads it, checked before any work is done.

Request (what managed online endpoints of chat models accept):
    {"input_data": {"input_string": [{"role": "user", "content": "Hi"}, ...],
                    "parameters": {"temperature": 0.6, "top_p": 0.9, "do_sample": true,
                                   "max_new_tokens": 200}}}
Response: {"output": "<the assistant's reply>", "usage": {"prompt_tokens": N,
"completion_tokens": M}} ("usage" is the local endpoints' addition; Azure clients read "output").

Limits (services/serving/limits.py, set by STUDIO_SERVE_* variables): the number of messages
and max_new_tokens are checked here; body size, prompt tokens and time by the server.

Streaming (an extension the Azure contract lacks): add "stream": true to "parameters", or send
`Accept: text/event-stream`. The reply is then Server-Sent Events, one JSON object per event:
`data: {"delta": "<text>"}` for each piece as it is generated, then a last
`data: {"output": "<whole reply>", "usage": {...}, "done": true}`
(or `{"error": "...", "done": true}`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from services.serving.limits import Limits, named

ROLES = ("system", "user", "assistant")

# The guide's test request (FineTuning_MLSDK.md step 9) uses these; they are the defaults here.
DEFAULT_PARAMETERS = {"temperature": 0.6, "top_p": 0.9, "do_sample": True, "max_new_tokens": 200}


class ContractError(ValueError):
    """The request body breaks the scoring contract; the message says how (HTTP 400)."""


@dataclass(frozen=True)
class ScoringRequest:
    messages: list[dict[str, str]]
    parameters: dict[str, Any] = field(default_factory=dict)
    stream: bool = False


def parse_request(body: Any, limits: Limits | None = None) -> ScoringRequest:
    """Check a decoded JSON body; raise ContractError naming the first problem found."""
    limits = limits or Limits()
    if not isinstance(body, dict) or not isinstance(body.get("input_data"), dict):
        raise ContractError(
            'The body must be a JSON object with "input_data": '
            '{"input_string": [...messages...], "parameters": {...}}.'
        )
    data = body["input_data"]
    messages = _parse_messages(data.get("input_string"), limits.max_messages)
    raw_parameters = data.get("parameters") or {}
    if not isinstance(raw_parameters, dict):
        raise ContractError('"input_data.parameters" must be a JSON object.')
    stream = raw_parameters.get("stream", False)
    if not isinstance(stream, bool):
        raise ContractError('"parameters.stream" must be true or false.')
    return ScoringRequest(messages, _parse_parameters(raw_parameters, limits), stream)


def _parse_messages(value: Any, max_messages: int) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise ContractError(
            '"input_data.input_string" must be a non-empty list of '
            '{"role": "system"|"user"|"assistant", "content": "..."} messages.'
        )
    if len(value) > max_messages:
        raise ContractError(
            f"{len(value)} messages is over the endpoint's limit, "
            f"{named('max_messages', max_messages)}: send fewer (drop the oldest turns)."
        )
    messages = []
    for index, message in enumerate(value):
        if not isinstance(message, dict):
            raise ContractError(f"input_string[{index}] must be an object with role and content.")
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise ContractError(f"input_string[{index}].role must be one of {', '.join(ROLES)}.")
        if not isinstance(content, str):
            raise ContractError(f"input_string[{index}].content must be a string.")
        messages.append({"role": role, "content": content})
    if messages[-1]["role"] == "assistant":
        raise ContractError(
            "The last message must be from the user (or system), not the assistant."
        )
    return messages


def _parse_parameters(raw: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """Known generation parameters, type-checked; unknown ones are ignored as Azure does."""
    parameters = dict(DEFAULT_PARAMETERS)
    parameters["max_new_tokens"] = min(parameters["max_new_tokens"], limits.max_new_tokens)
    if "temperature" in raw:
        parameters["temperature"] = _number(raw, "temperature", low=0.0, high=10.0)
    if "top_p" in raw:
        parameters["top_p"] = _number(raw, "top_p", low=0.0, high=1.0, low_open=True)
    if "do_sample" in raw:
        if not isinstance(raw["do_sample"], bool):
            raise ContractError('"parameters.do_sample" must be true or false.')
        parameters["do_sample"] = raw["do_sample"]
    if "max_new_tokens" in raw:
        value = raw["max_new_tokens"]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ContractError('"parameters.max_new_tokens" must be a whole number.')
        if not 1 <= value <= limits.max_new_tokens:
            raise ContractError(
                f'"parameters.max_new_tokens" must be between 1 and {limits.max_new_tokens}, '
                f"the endpoint's limit {named('max_new_tokens', limits.max_new_tokens)}."
            )
        parameters["max_new_tokens"] = value
    return parameters


def _number(raw: dict, name: str, *, low: float, high: float, low_open: bool = False) -> float:
    value = raw[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ContractError(f'"parameters.{name}" must be a number.')
    if not math.isfinite(value):
        raise ContractError(f'"parameters.{name}" must be a finite number, not {value}.')
    too_low = value <= low if low_open else value < low
    if too_low or value > high:
        bracket = "(" if low_open else "["
        raise ContractError(f'"parameters.{name}" must be in {bracket}{low}, {high}].')
    return float(value)
