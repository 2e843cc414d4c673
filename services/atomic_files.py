"""Files replaced whole: a reader sees the old file or the new one, never half of either.

Every record and state file the studio shares between processes (job.json, endpoint.json,
status and progress files, pid files, keys) is written here: into a uniquely named temporary
file beside the target (owner-only, 0600), then renamed over it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Replace `path` with `data` atomically (its folder is made when missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Replace `path` with `text` (UTF-8) atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, value: object, *, indent: int | None = 2) -> Path:
    """Replace `path` with `value` as JSON atomically."""
    return write_text(path, json.dumps(value, indent=indent))


def read_json(path: str | Path) -> dict:
    """The JSON object in `path`; {} when it is missing, unreadable or not an object."""
    try:
        value = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
