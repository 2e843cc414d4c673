"""Local endpoints: detached server processes that speak the Azure ML scoring contract.

Each endpoint has a folder under STUDIO_HOME/endpoints/<name>/:
- endpoint.json: what it serves (model, version, how to load it), written here at deploy
- key: the secret for `Authorization: Bearer <key>`, owner-only (0600), never logged; the
  server reads it on every request, so `regenerate_key` (an atomic replace) takes effect at once
- server.json: pid, port and status ("loading", "ready", "failed"), written by the server
- server.log: the server's own log, owner-only (no keys: access lines drop the query string)

Servers are started in their own session (services.processes), so they outlive the app or CLI
that started them; the folder is the source of truth, so endpoints survive a Streamlit restart.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from services import config, processes
from services.atomic_files import read_json, write_text
from services.backends.base import EndpointInfo, ScoringTarget
from services.errors import EndpointError
from services.serving import endpoint_record
from services.serving.endpoint_record import EndpointRecord, exists
from services.status import EndpointStatus

log = logging.getLogger(__name__)

DEFAULT_START_TIMEOUT_S = 600.0  # the first use of the bundled model converts it (~45 s)
HEALTH_TIMEOUT_S = 2.0
STOP_GRACE_S = 15.0  # a server finishing its replies before it exits
PROGRESS_LINES = {
    "loading": "Listening on 127.0.0.1:{port}; loading the model…",
    "ready": "Model loaded; checking health…",
    "failed": "The server could not load the model.",
}


def deploy(
    model_name: str,
    version: str | None = None,
    *,
    base_model: bool = False,
    name: str | None = None,
    wait: bool = True,
    timeout_s: float = DEFAULT_START_TIMEOUT_S,
    on_progress: Callable[[str], None] | None = None,
) -> EndpointInfo:
    """Start an endpoint for a registered version (latest when None) and wait until it answers.

    With `base_model=True`, `model_name` is a base model id (catalog id or folder) served as is,
    without an adapter: the other side of a base-vs-fine-tuned comparison. `on_progress` gets
    a line of text at each step.
    """
    report = on_progress or (lambda line: None)
    if base_model:
        record = EndpointRecord(
            name="",
            kind="base",
            model_name=model_name,
            model_version="base",
            base_model_path=str(_base_model_folder(model_name)),
        )
        default_name = f"{_slug(Path(model_name.rstrip('/')).name)}-base"
    else:
        from services.serving.local_registry import get_version

        ref = get_version(model_name, version)
        record = EndpointRecord(
            name="",
            kind="registered",
            model_name=ref.name,
            model_version=ref.version,
            model_uri=ref.uri,
            base_model_id=ref.base_model_id,
            tracking_uri=config.mlflow_tracking_uri(),
        )
        default_name = f"{_slug(ref.name)}-v{ref.version}"
    endpoint_dir = _new_endpoint_dir(name or default_name)
    record.name, record.created_at = endpoint_dir.name, time.time()
    endpoint_record.save(endpoint_dir, record)
    write_text(endpoint_dir / "key", secrets.token_urlsafe(32))  # owner-only, as written whole
    record.pid, record.pid_stamp = _start_server(endpoint_dir)
    endpoint_record.save(endpoint_dir, record)
    log.info("endpoint %s starting (pid %s)", endpoint_dir.name, record.pid)
    report(f"Started the server process for {endpoint_dir.name} (pid {record.pid}).")
    if wait:
        wait_until_ready(endpoint_dir.name, timeout_s=timeout_s, on_progress=report)
    return get_endpoint(endpoint_dir.name)


def wait_until_ready(
    name: str,
    *,
    timeout_s: float = DEFAULT_START_TIMEOUT_S,
    on_progress: Callable[[str], None] | None = None,
) -> EndpointInfo:
    """Block until the endpoint answers /health; EndpointError if it dies or takes too long."""
    deadline = time.monotonic() + timeout_s
    delay, reported = 0.1, ""
    while True:
        info = get_endpoint(name)
        server = read_json(_endpoint_dir(name) / "server.json").get("status", "")
        if on_progress and server and server != reported:
            on_progress(PROGRESS_LINES.get(server, server).format(port=info.port))
            reported = server
        if info.status == "running":
            return info
        if info.status.is_down:
            raise EndpointError(
                f"Endpoint {name!r} stopped while starting: {_failure(name)}",
                f"See {_endpoint_dir(name) / 'server.log'}, then delete it and deploy again.",
            )
        if time.monotonic() > deadline:
            raise EndpointError(
                f"Endpoint {name!r} did not become ready within {timeout_s:.0f} s.",
                f"It may still be loading; check `python -m services endpoints list` or "
                f"{_endpoint_dir(name) / 'server.log'}.",
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def list_endpoints() -> list[EndpointInfo]:
    """Every local endpoint with its live status, oldest first."""
    records = [endpoint_record.load(p) for p in config.endpoints_dir().iterdir() if exists(p)]
    records.sort(key=lambda record: record.created_at or 0)
    return [get_endpoint(record.name) for record in records]


def get_endpoint(name: str) -> EndpointInfo:
    endpoint_dir = _endpoint_dir(name)
    record = endpoint_record.load(endpoint_dir)
    server = read_json(endpoint_dir / "server.json")
    port = server.get("port")
    status = _status(record, server)
    return EndpointInfo(
        name=name,
        backend="local",
        scoring_uri=f"http://127.0.0.1:{port}/score" if port else "",
        model_name=record.model_name,
        model_version=record.model_version,
        status=status,
        port=port,
        # No uptime for an endpoint whose process is gone: it is not up.
        started_at=None if status.is_down else record.created_at,
        streams=True,
    )


def delete_endpoint(name: str) -> None:
    """Stop the server (its port is free when this returns) and forget the endpoint."""
    endpoint_dir = _endpoint_dir(name)
    record = endpoint_record.load(endpoint_dir)
    if record.pid:
        processes.stop(record.pid, record.pid_stamp, grace_s=STOP_GRACE_S)
    shutil.rmtree(endpoint_dir, ignore_errors=True)
    log.info("endpoint %s deleted", name)


def regenerate_key(name: str) -> None:
    """A new key for the endpoint; the server refuses the old one from the next request on."""
    write_text(_endpoint_dir(name) / "key", secrets.token_urlsafe(32))
    log.info("endpoint %s has a new key", name)


def scoring_target(name: str) -> ScoringTarget:
    info = get_endpoint(name)
    if not info.status.takes_requests:
        raise EndpointError(
            f"Endpoint {name!r} is {info.status}, not running.",
            "Wait for it to finish loading, or delete it and deploy again.",
        )
    key = (_endpoint_dir(name) / "key").read_text().strip()
    return ScoringTarget(scoring_uri=info.scoring_uri, key=key, streams=True)


# Internals


def _status(record: EndpointRecord, server: dict) -> EndpointStatus:
    if not processes.is_alive(record.pid, record.pid_stamp):
        return EndpointStatus.FAILED if server.get("status") == "failed" else EndpointStatus.STOPPED
    if server.get("status") != "ready" or not server.get("port"):
        return EndpointStatus.STARTING
    # Here, not at the top: every page's cost notice lists endpoints, and requests takes
    # ~0.1 s to import, which the first paint pays only when an endpoint is actually up.
    import requests

    try:
        response = requests.get(
            f"http://127.0.0.1:{server['port']}/health", timeout=HEALTH_TIMEOUT_S
        )
    except requests.RequestException:
        starting = time.time() - server.get("ready_at", 0) < 10
        return EndpointStatus.STARTING if starting else EndpointStatus.UNRESPONSIVE
    return EndpointStatus.RUNNING if response.ok else EndpointStatus.UNRESPONSIVE


def _start_server(endpoint_dir: Path) -> processes.ProcessRef:
    command = [sys.executable, "-m", "services.serving.server", str(endpoint_dir)]
    # server.log is owner-only: it records requests (never keys; access lines drop queries).
    return processes.start(command, endpoint_dir / "server.log", private_log=True)


def _failure(name: str) -> str:
    server = read_json(_endpoint_dir(name) / "server.json")
    if server.get("error"):
        return server["error"]
    log_path = _endpoint_dir(name) / "server.log"
    lines = log_path.read_text(errors="replace").strip().splitlines() if log_path.exists() else []
    return lines[-1] if lines else "no output"


def _base_model_folder(model_id: str) -> Path:
    if Path(model_id).is_dir():
        return Path(model_id).resolve()
    from services.local.catalog import model_path

    return model_path(model_id)


def _new_endpoint_dir(name: str) -> Path:
    """A fresh folder for `name`, adding -2, -3... when the name is taken."""
    base = _slug(name)
    candidate, number = base, 1
    while True:
        try:
            path = config.endpoints_dir() / candidate
            path.mkdir(mode=0o700)  # its files hold the key and the request log
            return path
        except FileExistsError:
            number += 1
            candidate = f"{base}-{number}"


def _endpoint_dir(name: str) -> Path:
    path = config.endpoints_dir() / name
    if name != _slug(name) or not exists(path):
        raise EndpointError(
            f"No local endpoint named {name!r}.",
            "List endpoints with `python -m services endpoints list`.",
        )
    return path


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return slug[:48].strip("-") or "endpoint"
