"""Fixtures: the real azure-ai-ml SDK wired to a fake HTTP layer (see docs/azure-testing.md)."""

from __future__ import annotations

import pytest
import requests

from tests.azure import payloads as p
from tests.azure.fake_azure import FakeAzure, FakeCredential
from tests.azure.fake_workspace import FakeWorkspace
from tests.support.azure_sdk import quiet_azure_sdk


@pytest.fixture
def fake(monkeypatch) -> FakeAzure:
    fake = FakeAzure()
    # The SDK's own transport goes through the mounted session; azure-storage-blob (training
    # file uploads) builds its own session, so every plain requests adapter answers from the
    # fake too: nothing leaves the process.
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter,
        "send",
        lambda self, request, **kwargs: fake.send(request, **kwargs),
    )
    return fake


@pytest.fixture
def session(fake) -> requests.Session:
    s = requests.Session()
    s.mount("https://", fake)
    s.mount("http://", fake)
    return s


@pytest.fixture
def workspace(fake) -> FakeWorkspace:
    workspace = FakeWorkspace(fake)
    workspace.add_component(p.chat_completion_component())
    return workspace


@pytest.fixture
def connect(session, workspace, monkeypatch):
    """connect(**overrides) -> AzureBackend over the fake workspace."""
    from azure.core.pipeline.transport import RequestsTransport

    from services.backends.azure import AzureBackend

    for var in ("AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP", "AZUREML_WORKSPACE_NAME"):
        monkeypatch.delenv(var, raising=False)

    def build(**overrides):
        options = {
            "subscription_id": p.SUB,
            "resource_group": p.RG,
            "workspace_name": p.WS,
            "credential": FakeCredential(),
            "transport": RequestsTransport(session=session, session_owner=False),
        }
        options.update(overrides)
        return AzureBackend.connect(**options)

    return build


@pytest.fixture
def backend(connect):
    return connect()


def pytest_collection_modifyitems(items):
    quiet_azure_sdk(items, "tests/azure/")
