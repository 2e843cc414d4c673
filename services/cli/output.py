"""How CLI verbs print: JSON for scripts (--json), short readable text otherwise.

Results go to stdout. In text mode, refusals, errors and warnings go to stderr; with --json
everything is one JSON document on stdout, and every failure carries a "reasons" list.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

from services.errors import StudioError, ValidationError


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "__fspath__"):
        return str(value)
    return value


def emit(value: Any, *, as_json: bool, text: str | None = None) -> None:
    """Print `value` as JSON, or `text` (default: indented JSON) for people."""
    if as_json or text is None:
        print(json.dumps(to_jsonable(value), indent=None if as_json else 2, default=str))
    else:
        print(text)


def refusal_text(headline: str, reasons: list[str], hints: list[str]) -> str:
    """`refused: headline`, one `  - reason` line each, then one `hint:` line each."""
    lines = [f"refused: {headline}", *(f"  - {reason}" for reason in reasons)]
    lines += [f"hint: {hint}" for hint in hints if hint]
    return "\n".join(lines)


def emit_error(error: StudioError, *, as_json: bool) -> None:
    """A refusal (ValidationError) with each of its reasons, or an error with its hint."""
    if as_json:
        result: dict[str, object] = {**error.to_dict()}
        result.setdefault("reasons", [error.message])  # every failure lists its reasons
        print(json.dumps(to_jsonable(result)))
    elif isinstance(error, ValidationError):
        print(refusal_text(error.message, error.reasons, [error.hint]), file=sys.stderr)
    else:
        print(f"error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)


def warn(message: str) -> None:
    """A warning a person must not miss (text mode); JSON output carries it in "warnings"."""
    print(f"WARNING: {message}", file=sys.stderr)


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
