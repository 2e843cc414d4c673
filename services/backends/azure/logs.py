"""Live logs of an Azure ML pipeline job, without blocking.

jobs.stream blocks and prints to stdout, and jobs.download works only once a job ends. So:
walk the child runs in run history (recursively: the registry pipeline is itself a pipeline of
steps), ask run history for each step's log files (SAS URLs), and read
each file from the offset already shown with an HTTP Range request, like the SDK's own log
streamer does. LogChunk.offsets maps "<step>/<log file>" to the bytes already read.
"""

from __future__ import annotations

import logging
from typing import Any

from services.backends.azure.connection import AzureClients, short
from services.backends.base import LogChunk

log = logging.getLogger(__name__)

MAX_DEPTH = 4  # pipeline -> chat_completion_pipeline -> steps; a margin for nested components
READ_TIMEOUT_S = 30


def _children(clients: AzureClients, job_name: str) -> list[Any]:
    """Child runs from run history (GET .../runs/{job_name}/children).

    Not jobs.list(parent_job_name=...): that first GETs the parent as an ARM job, and ARM
    answers a pipeline step without properties, which the SDK cannot read. Run history is
    where the steps live; the SDK's run operations turn its runs into job entities.
    """
    try:
        runs = clients.workspace.jobs._runs_operations.get_run_children(job_name)
        return [c for c in runs if c is not None]
    except Exception as error:  # noqa: BLE001 - a step not started yet has no children to list
        log.debug("no children for %s: %s", job_name, short(error))
        return []


def steps(clients: AzureClients, job_name: str, depth: int = 0) -> list[Any]:
    """The jobs under `job_name` that have no children themselves (the steps that log)."""
    found = []
    for child in _children(clients, job_name):
        below = steps(clients, child.name, depth + 1) if depth + 1 < MAX_DEPTH else []
        found.extend(below or [child])
    return found


def log_files(clients: AzureClients, job_name: str) -> dict[str, str]:
    """Log file name -> SAS URL, from run history (no public SDK call returns them)."""
    try:
        details = clients.workspace.jobs._runs_operations.get_run_details(job_name)
    except Exception as error:  # noqa: BLE001 - a queued step has no details yet
        log.debug("no run details for %s: %s", job_name, short(error))
        return {}
    return dict(getattr(details, "log_files", None) or {})


def _complete_utf8(data: bytes) -> bytes:
    """Drop a multi-byte character cut in half at the end; the next read starts with it."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":
            return data[: error.start]
    return data


def read_new_bytes(session: Any, url: str, offset: int) -> bytes:
    """Bytes of `url` from `offset` on (Range request); b"" when nothing is new."""
    response = session.get(url, headers={"Range": f"bytes={offset}-"}, timeout=READ_TIMEOUT_S)
    if response.status_code == 416:  # the range starts at the end: nothing new yet
        return b""
    response.raise_for_status()
    data = response.content
    # A server that ignores Range answers 200 with the whole file.
    return data[offset:] if response.status_code == 200 and offset else data


def read_logs(clients: AzureClients, job_id: str, offsets: dict | None = None) -> LogChunk:
    """New log text of every step since `offsets`, each file introduced by a header line."""
    offsets = dict(offsets or {})
    parts: list[str] = []
    for step in steps(clients, job_id) or []:
        label = step.display_name or step.name
        for file_name, url in sorted(log_files(clients, step.name).items()):
            key = f"{step.name}/{file_name}"
            start = int(offsets.get(key, 0))
            try:
                data = _complete_utf8(read_new_bytes(clients.session, url, start))
            except Exception as error:  # noqa: BLE001 - one unreadable file must not stop the rest
                log.info("cannot read log %s: %s", key, short(error))
                continue
            if data:
                offsets[key] = start + len(data)
                parts.append(f"==> {label}/{file_name} <==\n" + data.decode("utf-8", "replace"))
    text = "\n".join(part if part.endswith("\n") else part + "\n" for part in parts)
    return LogChunk(text=text, offsets=offsets)
