"""Which endpoints the Chat page offers."""

from __future__ import annotations

from services.backends.base import Backend


def chat_endpoints(backend: Backend) -> list[str]:
    """The names of the endpoints a chat message can go to, in the backend's order
    (EndpointStatus.takes_requests: an unresponsive endpoint is busy, still worth a try)."""
    return [e.name for e in backend.list_endpoints() if e.status.takes_requests]
