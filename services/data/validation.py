"""What makes a row a usable chat conversation, and why a row is not one.

The ultrachat format: `{"prompt": ..., "prompt_id": ..., "messages": [{"role", "content"}]}`.
A conversation is an optional leading system message, then user and assistant turns
alternating, starting with the user, with at least one assistant turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class InvalidRow:
    """A row that cannot be used for training; `line` is 1-based (the row number for
    .json arrays and .parquet files)."""

    line: int
    reason: str  # for people: "message 3 has an unknown role 'bot'"
    code: str  # for code and tests: not_json, not_object, no_messages, missing_role,
    # missing_content, unknown_role, empty_content, not_alternating, no_assistant, not_text


def parse_line(text: str | bytes) -> tuple[object, str | None]:
    """Parse one JSON line; returns (value, None) or (None, reason)."""
    try:
        return json.loads(text), None
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except ValueError as error:
        message = getattr(error, "msg", str(error))
        return None, f"not JSON ({message})"


def check_row(row: object) -> tuple[str, str] | None:
    """Why `row` is not a usable conversation, as (code, reason); None when it is fine."""
    if not isinstance(row, dict):
        return "not_object", f"not a JSON object (got {type(row).__name__})"
    messages = row.get("messages")
    if messages is None:
        return "no_messages", "no `messages`"
    if not isinstance(messages, list) or not messages:
        return "no_messages", "`messages` is not a non-empty list"
    return check_messages(messages)


def check_messages(messages: list) -> tuple[str, str] | None:
    expected = "user"
    saw_assistant = False
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or "role" not in message:
            return "missing_role", f"message {number} has no role"
        if "content" not in message or message["content"] is None:
            return "missing_content", f"message {number} has no content"
        role, content = message["role"], message["content"]
        if role not in ROLES:
            return "unknown_role", f"message {number} has an unknown role {role!r}"
        if not isinstance(content, str):
            return "not_text", f"message {number} content is not text"
        if not content.strip():
            return "empty_content", f"message {number} has empty content"
        if role == "system" and number == 1:
            continue
        if role != expected:
            return (
                "not_alternating",
                f"does not alternate user/assistant: message {number} is {role}, "
                f"expected {expected}",
            )
        saw_assistant = saw_assistant or role == "assistant"
        expected = "assistant" if role == "user" else "user"
    if not saw_assistant:
        return "no_assistant", "no assistant turn"
    return None


def validate_row(line: int, row: object) -> tuple[dict | None, InvalidRow | None]:
    problem = check_row(row)
    if problem is not None:
        return None, InvalidRow(line, problem[1], problem[0])
    return row, None  # type: ignore[return-value]


def valid_rows(
    raw_rows: Iterable[tuple[int, object, str | None]], invalid: list[InvalidRow] | None = None
) -> Iterator[dict]:
    """The usable rows of a full pass (`DatasetFile.iter_rows()`: line, value, parse error);
    each unusable one is appended to `invalid` when given."""
    row: dict | None
    problem: InvalidRow | None
    for line, value, error in raw_rows:
        if error is not None:
            row, problem = None, InvalidRow(line, error, "not_json")
        else:
            row, problem = validate_row(line, value)
        if problem is None and row is not None:
            yield row
        elif invalid is not None and problem is not None:
            invalid.append(problem)
