"""The audit trail: one JSON line in STUDIO_HOME/audit.log per action that spends money or
changes state (submit, cancel, register, deploy, delete, reveal key, regenerate key, evaluate).

A line: {"when": ISO time, "who": {"name", "source"}, "action", "resource", "outcome", ...}
where outcome is "ok", "refused" (the service said no: ValidationError, UnsupportedError, or
NotAllowedError: a viewer asked for an operator's action) or
"failed" (with "error": the exception's class name, never its message). Keys, tokens and
secrets never go in: callers pass names of resources, not values.

Who: the signed-in user (app.py and the role-checking backend wrap their work in `acting_as`;
source "sign-in", the name their e-mail address), else the machine's OS user, source "local".
Each line is one os.write on an O_APPEND descriptor, so lines from processes
writing at once (the app, the CLI, a second app session) never interleave.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from services import config
from services.errors import NotAllowedError, UnsupportedError, ValidationError

log = logging.getLogger(__name__)

AUDIT_FILE = "audit.log"
# A process the app starts on someone's behalf (the demo's run) acts as them: "source:name".
ACTOR_ENV = "STUDIO_ACTOR"
# the service declined; nothing was spent
REFUSALS = (ValidationError, UnsupportedError, NotAllowedError)


@dataclass(frozen=True)
class Actor:
    """Who did it: an OS user name ("local") or a signed-in e-mail (the sign-in provider)."""

    name: str
    source: str = "local"


_acting: ContextVar[Actor | None] = ContextVar("studio_audit_actor", default=None)


def local_actor() -> Actor:
    try:
        return Actor(getpass.getuser(), "local")
    except (KeyError, OSError):  # no passwd entry (some containers)
        return Actor(str(os.getuid()), "local")


def current_actor() -> Actor:
    """The actor set by `acting_as` in this thread or task, else the one the process was
    started for (STUDIO_ACTOR), else the local OS user."""
    return _acting.get() or _started_for() or local_actor()


def actor_env(actor: Actor) -> dict[str, str]:
    """The environment that makes a child process act as `actor` (see ACTOR_ENV)."""
    return {ACTOR_ENV: f"{actor.source}:{actor.name}"}


def _started_for() -> Actor | None:
    source, _, name = os.environ.get(ACTOR_ENV, "").partition(":")
    return Actor(name, source) if source and name else None


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute every action in this block to `actor` (sign-in wraps a page run in it)."""
    token = _acting.set(actor)
    try:
        yield
    finally:
        _acting.reset(token)


def audit_path() -> Path:
    return config.studio_home() / AUDIT_FILE


def append(
    action: str,
    resource: str,
    outcome: str,
    *,
    who: Actor | None = None,
    error: str = "",
    **details: str,
) -> None:
    """Append one line. A failed write is logged, not raised: the action already happened."""
    entry = {
        "when": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "who": asdict(who or current_actor()),
        "action": action,
        "resource": resource,
        "outcome": outcome,
        **({"error": error} if error else {}),
        **details,
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
    try:
        path = audit_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(descriptor, line)  # one write: atomic against other appenders
        finally:
            os.close(descriptor)
    except OSError as failure:
        log.warning("could not write the audit log: %s", failure)


@dataclass
class Audited:
    """The action being audited; set `resource` once it is known (a new job's id)."""

    resource: str


@contextmanager
def audited(
    action: str, resource: str = "", *, who: Actor | None = None, **details: str
) -> Iterator[Audited]:
    """Run the block as `action` on `resource`; append its outcome when it ends."""
    entry = Audited(resource)
    try:
        yield entry
    except REFUSALS as error:
        append(action, entry.resource, "refused", who=who, error=type(error).__name__, **details)
        raise
    except Exception as error:
        append(action, entry.resource, "failed", who=who, error=type(error).__name__, **details)
        raise
    append(action, entry.resource, "ok", who=who, **details)


def read_entries() -> list[dict]:
    """Every line of the log, oldest first (a line that is not JSON is skipped)."""
    try:
        text = audit_path().read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    entries = []
    for line in text.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def started_by(action: str) -> dict[str, str]:
    """resource -> who started it ("name" or "name (source)"), from the ok `action` lines."""
    starters = {}
    for entry in read_entries():
        if entry.get("action") == action and entry.get("outcome") == "ok":
            who = entry.get("who") or {}
            source = who.get("source", "")
            name = who.get("name", "")
            label = name if source == "local" else f"{name} ({source})"
            starters[entry.get("resource", "")] = label
    return starters
