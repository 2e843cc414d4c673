"""The Azure ML backend: the guide's azure-ai-ml calls behind the Backend protocol.

Importing this package is cheap: azure-ai-ml, azure-identity and mlflow load inside the
functions that need them, and the backend's own modules load on first use of a name below:
every page's sidebar asks `switch_offer` (a config file read) on the local backend too, and the
first paint should not compile the whole backend for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.backends.azure.backend import AzureBackend
    from services.backends.azure.connection import (
        AzureConnection,
        find_azure_config,
        switch_offer,
    )

_HOMES = {
    "AzureBackend": "services.backends.azure.backend",
    "AzureConnection": "services.backends.azure.connection",
    "find_azure_config": "services.backends.azure.connection",
    "switch_offer": "services.backends.azure.connection",
}

__all__ = ["AzureBackend", "AzureConnection", "find_azure_config", "switch_offer"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:  # a submodule (`from services.backends.azure import jobs`) or a typo
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
