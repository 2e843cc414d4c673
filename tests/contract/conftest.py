"""Both backends behind one `contract_backend` fixture, each holding one of every read thing.

local: a real LocalBackend on this test's STUDIO_HOME, with the tiny model folder added and a
tiny job trained to the end (once per session, tests/support) and registered; no
endpoint (starting a server is the serving tests' job).
azure: a real AzureBackend through azure-ai-ml on the fake HTTP layer (tests/azure), with a
model, a cluster, a submitted pipeline job and a deployed endpoint in its fake workspace.
"""

from __future__ import annotations

import pytest

from services.backends.base import Backend
from tests.azure import payloads as p

# The azure fixtures, shared rather than copied: importing them here makes them usable below.
from tests.azure.conftest import connect, fake, session, workspace  # noqa: F401
from tests.azure.test_jobs import spec
from tests.local.conftest import tiny_model_template  # noqa: F401
from tests.support.azure_sdk import quiet_azure_sdk

BACKENDS = ("local", "azure")
AZURE_MODEL = "Phi-4-mini-instruct"


@pytest.fixture(params=BACKENDS)
def contract_backend(request) -> Backend:
    return request.getfixturevalue(f"{request.param}_backend")


@pytest.fixture
def local_backend(finished_job, tiny_model_template) -> Backend:  # noqa: F811
    from services.backends.local import LocalBackend

    backend = LocalBackend()
    backend.add_model_folder(tiny_model_template)
    backend.register_model(finished_job)
    return backend


@pytest.fixture
def azure_backend(connect, workspace, tmp_path) -> Backend:  # noqa: F811
    workspace.add_model(
        AZURE_MODEL,
        "3",
        tags={
            "task": "chat-completion",
            "inference_compute_allow_list": "['Standard_NC6s_v3', 'Standard_NC24ads_A100_v4']",
        },
    )
    workspace.add_compute("a100", "Standard_NC24ads_A100_v4")
    job = p.command_job("ft-done", f"{AZURE_MODEL}-ultrachat", status="Completed")
    job["properties"]["tags"] = {
        "studio.model": AZURE_MODEL,
        "studio.model_id": f"azureml://registries/azureml/models/{AZURE_MODEL}/versions/3",
    }
    workspace.add_job(job)
    backend = connect()
    registered = backend.register_model("ft-done")
    backend.deploy(registered.name, registered.version, endpoint_name="contract-1")
    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    row = '{"prompt": "hi", "prompt_id": "1", "messages": [{"content": "hi", "role": "user"}]}\n'
    train.write_text(row * 3)
    test.write_text(row)
    backend.submit_job(spec(train, test))  # a pipeline job: the only kind list_jobs shows
    return backend


def pytest_collection_modifyitems(items):
    quiet_azure_sdk(items, "tests/contract/")
