"""How CLI verbs print: JSON for scripts (--json), short readable text otherwise."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

from services.errors import StudioError


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


def emit_error(error: StudioError, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(error.to_dict()))
    else:
        print(f"error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
