"""Which endpoints the Chat page offers."""

from __future__ import annotations

from services.backends.base import Backend

# "unresponsive" endpoints are alive but busy: still worth a try.
CHATTABLE = ("running", "unresponsive")


def chat_endpoints(backend: Backend) -> list[str]:
    """The names of the endpoints a chat message can go to, in the backend's order."""
    return [e.name for e in backend.list_endpoints() if e.status in CHATTABLE]
