"""Pick a backend by name. `local` is the default; `azure` when the user connects."""

from __future__ import annotations

import os

from services.backends.base import Backend

BACKEND_NAMES = ("local", "azure")


def default_backend_name() -> str:
    """STUDIO_BACKEND chooses the backend for the CLI and a new app session (default local)."""
    name = os.environ.get("STUDIO_BACKEND", "local").lower()
    return name if name in BACKEND_NAMES else "local"


def create_backend(name: str = "local", **options) -> Backend:
    """Build a backend. Azure options: see services.backends.azure.AzureBackend."""
    if name == "local":
        from services.backends.local import LocalBackend

        return LocalBackend()
    if name == "azure":
        from services.backends.azure import AzureBackend

        return AzureBackend.connect(**options)
    raise ValueError(f"unknown backend {name!r}: choose one of {', '.join(BACKEND_NAMES)}")
