"""Showing an endpoint key to a person: an audited action, unlike a chat client reading it.

The pages and the CLI show keys masked; `reveal_key` is what they call when the person asks
to see (and copy) the key itself, so the audit log says who saw which endpoint's key.
"""

from __future__ import annotations

from services.backends.base import Backend
from services.security.audit import Actor, audited


def reveal_key(backend: Backend, name: str, *, who: Actor | None = None) -> str:
    """The endpoint's key in clear, recorded as "reveal_key" (the key itself is never logged)."""
    with audited("reveal_key", name, who=who, backend=backend.name):
        return backend.scoring_target(name).key
