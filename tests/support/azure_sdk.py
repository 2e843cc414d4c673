"""Quiet azure-ai-ml's import-time warnings in the folders whose tests drive the SDK."""

from __future__ import annotations

import pytest

# azure-ai-ml 1.35 emits hundreds of marshmallow/pydantic deprecation warnings on import.
SDK_NOISE = ("DeprecationWarning", "PendingDeprecationWarning", "UserWarning")


def quiet_azure_sdk(items: list[pytest.Item], folder: str) -> None:
    """Ignore the SDK's warnings in the collected tests under `folder` (e.g. "tests/azure/")."""
    for item in items:
        if folder in str(item.fspath).replace("\\", "/"):
            for category in SDK_NOISE:
                item.add_marker(pytest.mark.filterwarnings(f"ignore::{category}"))
