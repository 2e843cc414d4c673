"""Showing an endpoint key to a person: an audited action, unlike a chat client reading it.

The pages and the CLI show keys masked; `reveal_key` is what they call when the person asks
to see (and copy) the key itself, so the audit log says who saw which endpoint's key. Only an
operator may (a viewer chats through the app, which reads the key for them).
"""

from __future__ import annotations

from services.backends.base import Backend
from services.security.audit import Actor, audited
from services.security.roles import Caller, require_operator


def reveal_key(
    backend: Backend, name: str, *, who: Actor | None = None, caller: Caller | None = None
) -> str:
    """The endpoint's key in clear, recorded as "reveal_key" (the key itself is never logged).

    `caller`: the signed-in person (None: the machine's user); a viewer is refused.
    """
    require_operator(caller, "reveal_key", name)
    actor = who or (caller.actor if caller else None)
    with audited("reveal_key", name, who=actor, backend=backend.name):
        return backend.scoring_target(name).key
