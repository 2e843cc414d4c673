"""A local endpoint's record (endpoint.json): one typed value, one atomic save, one load.

Written by the process that deploys the endpoint and read by every look at it (list, status,
delete) and by its server, which loads the model the record names. A record that cannot be
read loads as an empty one of its folder, so the endpoint lists as stopped and can be deleted.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from services.atomic_files import read_json, write_json

RECORD_FILE = "endpoint.json"


@dataclass
class EndpointRecord:
    name: str
    kind: str = ""  # "registered" (a registered version, its adapter) or "base" (no adapter)
    model_name: str = ""
    model_version: str = ""
    created_at: float | None = None  # epoch seconds; also the listing order
    # registered: what the server loads through MLflow
    model_uri: str = ""
    base_model_id: str = ""
    tracking_uri: str = ""
    # base: the model folder the server loads as is
    base_model_path: str = ""
    # The server process (services.processes): pid and its start-time stamp.
    pid: int | None = None
    pid_stamp: str = ""
    port: int | None = None  # a fixed port for the server; None: a free one


_FIELDS = {field.name for field in dataclasses.fields(EndpointRecord)}


def exists(folder: Path) -> bool:
    return (folder / RECORD_FILE).exists()


def load(folder: Path) -> EndpointRecord:
    """The record in `folder` (fields it lacks keep their defaults; unknown ones are ignored)."""
    data = read_json(folder / RECORD_FILE)
    values = {name: value for name, value in data.items() if name in _FIELDS}
    values.setdefault("name", folder.name)
    values["model_version"] = str(values.get("model_version", ""))
    return EndpointRecord(**values)


def save(folder: Path, record: EndpointRecord) -> None:
    """Write the record atomically: a reader sees the old file or the new one, never half."""
    write_json(folder / RECORD_FILE, dataclasses.asdict(record))
