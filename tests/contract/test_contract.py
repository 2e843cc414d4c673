"""Each backend against the Backend protocol: signatures, honest capabilities, read types."""

from __future__ import annotations

import inspect
import typing
from dataclasses import fields

import pytest

from services.backends.base import Backend, Capabilities
from services.errors import StudioError, UnsupportedError

OPERATIONS = sorted(
    name
    for name, member in vars(Backend).items()
    if inspect.isfunction(member) and not name.startswith("_")
)
READS = ("list_models", "list_computes", "list_jobs", "list_endpoints", "list_registered_models")


def _signature_problems(protocol_fn, implementation) -> list[str]:
    """Why a call written against the protocol could fail on the implementation."""
    wanted = inspect.signature(protocol_fn).parameters
    offered = inspect.signature(implementation).parameters
    problems = []
    for name, parameter in wanted.items():
        if name not in offered:
            problems.append(f"lacks parameter {name}")
        elif offered[name].kind != parameter.kind:
            problems.append(f"{name} is {offered[name].kind.description}")
        elif offered[name].default != parameter.default:
            problems.append(f"{name} defaults to {offered[name].default!r}")
    extra = [n for n, q in offered.items() if n not in wanted and q.default is q.empty]
    problems += [f"requires extra parameter {name}" for name in extra]
    return problems


def test_the_protocol_documents_every_operation():
    assert OPERATIONS, "no operations found on Backend"
    undocumented = [name for name in OPERATIONS if not inspect.getdoc(getattr(Backend, name))]
    assert undocumented == []


def test_every_operation_exists_with_a_compatible_signature(contract_backend):
    implementation = type(contract_backend)
    problems = {
        name: _signature_problems(getattr(Backend, name), getattr(implementation, name))
        for name in OPERATIONS
        if hasattr(implementation, name)
    }
    assert [name for name in OPERATIONS if not hasattr(contract_backend, name)] == []
    assert {name: found for name, found in problems.items() if found} == {}
    assert isinstance(contract_backend, Backend)
    assert isinstance(contract_backend.capabilities, Capabilities)


# For each capability: the call that exercises it, cheap on both backends. A supported one may
# refuse these arguments (a StudioError), but never as unsupported.
def _call_optional(backend, capability: str, tmp_path):
    if capability == "create_compute":
        return backend.create_compute("contract", "Standard_NC6s_v3", min_nodes=2, max_nodes=1)
    if capability == "deploy_base_model":
        return backend.deploy_base_model(str(tmp_path / "no-such-model"))
    if capability == "add_model_folder":
        return backend.add_model_folder(tmp_path / "no-such-folder")
    raise AssertionError(f"no call for capability {capability}")


OPTIONAL_OPERATIONS = [f.name for f in fields(Capabilities) if f.name in OPERATIONS]


def test_every_optional_operation_has_a_capability():
    assert OPTIONAL_OPERATIONS == ["create_compute", "deploy_base_model", "add_model_folder"]


@pytest.mark.parametrize("capability", OPTIONAL_OPERATIONS)
def test_capabilities_are_honest(contract_backend, capability, tmp_path):
    if getattr(contract_backend.capabilities, capability):
        with pytest.raises(StudioError) as refused:
            _call_optional(contract_backend, capability, tmp_path)
        assert not isinstance(refused.value, UnsupportedError)
    else:
        with pytest.raises(UnsupportedError) as refused:
            _call_optional(contract_backend, capability, tmp_path)
        assert refused.value.hint  # says what to do instead


@pytest.mark.parametrize(
    ("capability", "operation"),
    [("resume", "resume_job"), ("checkpoints", "list_checkpoints")],
)
def test_resume_and_checkpoint_capabilities_are_honest(contract_backend, capability, operation):
    with pytest.raises(StudioError) as refused:
        getattr(contract_backend, operation)("no-such-job")
    offered = getattr(contract_backend.capabilities, capability)
    assert isinstance(refused.value, UnsupportedError) is not offered
    assert refused.value.hint


def test_only_a_billing_backend_offers_a_base_deployment(local_backend, azure_backend):
    with pytest.raises(UnsupportedError) as refused:
        local_backend.offer_base_deployment("SmolLM2-135M-Instruct")
    assert refused.value.hint
    with pytest.raises(StudioError) as refused:
        azure_backend.offer_base_deployment("azureml://registries/azureml/models/none/versions/1")
    assert not isinstance(refused.value, UnsupportedError)


def test_only_the_backend_that_evaluates_through_endpoints_has_an_evaluation_store(
    local_backend, azure_backend
):
    with pytest.raises(UnsupportedError) as refused:
        local_backend.evaluation_store()
    assert refused.value.hint
    assert azure_backend.evaluation_store() is not None


def test_each_backend_supports_what_only_it_can_do(local_backend, azure_backend):
    assert local_backend.capabilities == Capabilities(
        deploy_base_model=True,
        add_model_folder=True,
        mlflow_ui=True,
        evaluate=True,
        resume=True,
        checkpoints=True,
    )
    assert azure_backend.capabilities == Capabilities(create_compute=True, deploy_base_model=True)


@pytest.mark.parametrize("operation", READS)
def test_reads_return_the_declared_types(contract_backend, operation):
    declared = typing.get_type_hints(getattr(Backend, operation))["return"]
    (item_type,) = typing.get_args(declared)

    listed = getattr(contract_backend, operation)()

    assert isinstance(listed, list)
    assert [type(item).__name__ for item in listed if not isinstance(item, item_type)] == []


def test_each_read_finds_what_the_backend_holds(contract_backend):
    # Non-empty where the fixture made one, so the type checks above are not vacuous.
    holds = {name: len(getattr(contract_backend, name)()) for name in READS}
    empty = [name for name, count in holds.items() if count == 0]
    assert empty == (["list_endpoints"] if contract_backend.name == "local" else [])
