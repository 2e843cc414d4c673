"""The guide's compute checks, cluster creation and quota through the real SDK."""

from __future__ import annotations

import pytest

from services.backends.base import ModelInfo
from services.errors import ValidationError
from tests.azure import payloads as p

A100_ALLOW = ("standard_NC24ADS_a100_V4", "Standard_NC96ads_A100_v4")


def model(allow: tuple[str, ...] = ()) -> ModelInfo:
    return ModelInfo(
        id="azureml://registries/azureml/models/Phi-4/versions/7",
        name="Phi-4",
        source="azureml-registry",
        finetune_compute_allow_list=allow,
    )


def check(backend, compute, allow=(), gpus=0):
    return backend.check_compute(
        model(allow), compute, gpus=gpus, batch_size=1, max_seq_length=2048
    )


def test_allow_list_hit_with_mixed_case(backend, workspace):
    workspace.add_compute("a100", "Standard_NC24ads_A100_v4")

    result = check(backend, "a100", A100_ALLOW)

    assert result.ok, result.reasons
    assert result.gpus == 1
    assert result.details["hourly_price"] == pytest.approx(3.67)
    assert result.details["size"] == "Standard_NC24ads_A100_v4"


def test_allow_list_miss(backend, workspace):
    workspace.add_compute("v100", "STANDARD_NC24RS_V3")

    result = check(backend, "v100", A100_ALLOW)

    assert not result.ok
    assert "not in the allow-listed computes" in result.reasons[0]
    assert "Standard_NC96ads_A100_v4" in result.hints[0]
    assert result.gpus == 4  # still read from list_sizes, case-insensitively


@pytest.mark.parametrize("size", ["Standard_NC6", "STANDARD_NC24R", "standard_nc12"])
def test_unsupported_size_without_allow_list(backend, workspace, size):
    workspace.sizes.append(p.vm_size("Standard_NC24r", "standardNCFamily", 24, 4, 224.0))
    workspace.sizes.append(p.vm_size("Standard_NC12", "standardNCFamily", 12, 2, 112.0))
    workspace.add_compute("old", size)

    result = check(backend, "old")

    assert not result.ok
    assert result.reasons == (f"VM size {size} is currently not supported for finetuning.",)


def test_supported_size_without_allow_list(backend, workspace):
    workspace.add_compute("v100", "Standard_NC24rs_v3", max_nodes=3)

    result = check(backend, "v100")

    assert result.ok
    assert result.gpus == 4
    assert result.details["max_nodes"] == 3


def test_failed_compute_is_refused(backend, workspace):
    workspace.add_compute("broken", "Standard_NC24ads_A100_v4", state="Failed")

    result = check(backend, "broken", A100_ALLOW)

    assert not result.ok
    assert "failed state" in result.reasons[0]
    assert "different compute" in result.hints[0]


def test_size_missing_from_list_sizes_lists_available_sizes(backend, workspace):
    workspace.add_compute("exotic", "Standard_ND96amsr_A100_v4")

    result = check(backend, "exotic")

    assert not result.ok
    reason = result.reasons[-1]
    assert "Standard_ND96amsr_A100_v4 not found" in reason
    assert "Standard_NC24ads_A100_v4" in reason and "Standard_DS3_v2" in reason


def test_more_gpus_than_a_node_has(backend, workspace):
    workspace.add_compute("a100", "Standard_NC24ads_A100_v4")

    result = check(backend, "a100", A100_ALLOW, gpus=2)

    assert not result.ok
    assert "2 GPUs requested" in result.reasons[0]


def test_cpu_size_is_refused(backend, workspace):
    workspace.add_compute("cpu", "Standard_DS3_v2")

    result = check(backend, "cpu")

    assert not result.ok
    assert "no GPU" in result.reasons[0]


def test_missing_compute(backend):
    result = check(backend, "nope")

    assert not result.ok
    assert "does not exist" in result.reasons[0]


def test_quota_rows_for_the_size_family(backend, workspace, fake):
    workspace.add_compute("a100", "Standard_NC24ads_A100_v4")

    quota = check(backend, "a100", A100_ALLOW).details["quota"]

    names = {row["name"]: (row["used"], row["limit"]) for row in quota}
    assert names["Standard NCADS_A100_v4 Family Cluster Dedicated vCPUs"] == (24, 96)
    assert names["Total Cluster Dedicated Regional vCPUs"] == (24, 100)
    assert "Standard DSv2 Family Cluster Dedicated vCPUs" not in names
    assert fake.sent(
        "GET",
        rf"/subscriptions/{p.SUB}/providers/Microsoft\.MachineLearningServices"
        rf"/locations/{p.LOCATION}/usages$",
    )


def test_list_computes_with_price(backend, workspace):
    workspace.add_compute("a100", "Standard_NC24ads_A100_v4", max_nodes=2)
    workspace.add_compute("spot", "Standard_NC6s_v3", priority="LowPriority")

    computes = {c.name: c for c in backend.list_computes()}

    assert computes["a100"].gpus == 1
    assert computes["a100"].hourly_price == pytest.approx(3.67)
    assert computes["a100"].max_nodes == 2
    assert computes["a100"].kind == "amlcompute"
    assert computes["spot"].hourly_price == pytest.approx(0.61)  # the low-priority price


def test_create_cluster_sends_amlcompute(backend, workspace, fake):
    info = backend.create_compute(
        "ft-a100", "Standard_NC24ads_A100_v4", min_nodes=0, max_nodes=2, tier="low_priority"
    )

    put = fake.sent("PUT", r"/computes/ft-a100$")[-1]
    body = put.json()
    assert body["location"] == p.LOCATION
    assert body["properties"]["computeType"] == "AmlCompute"
    props = body["properties"]["properties"]
    assert props["vmSize"] == "Standard_NC24ads_A100_v4"
    assert props["vmPriority"] == "LowPriority"
    assert props["scaleSettings"]["minNodeCount"] == 0
    assert props["scaleSettings"]["maxNodeCount"] == 2
    assert info.name == "ft-a100"
    assert info.gpus == 1
    assert info.provisioning_state == "Succeeded"


def test_create_cluster_refuses_bad_settings(backend, fake):
    with pytest.raises(ValidationError) as error:
        backend.create_compute("x", "Standard_NC6s_v3", min_nodes=3, max_nodes=1, tier="spot")

    assert len(error.value.reasons) == 2
    assert not fake.sent("PUT", r"/computes/")


def test_create_cluster_waits_for_the_long_running_operation(backend, fake):
    info = backend.create_compute("ft-lro", "Standard_NC24ads_A100_v4", max_nodes=1)

    put = fake.sent("PUT", r"/computes/ft-lro$")
    polls = fake.sent("GET", r"/mfeOperationsStatus/op-\d+$")
    assert len(put) == 1
    assert len(polls) >= 2  # InProgress, then Succeeded
    assert fake.sent("GET", r"/computes/ft-lro$")  # the final read of the resource
    assert info.provisioning_state == "Succeeded"


def test_a_service_outage_is_not_blamed_on_the_network(backend, fake):
    from services.errors import AzureError
    from tests.azure.fake_azure import arm_error

    fake.on("GET", r"/computes$", arm_error(503, "ServiceUnavailable", "Please retry later."))

    with pytest.raises(AzureError) as error:
        backend.list_computes()

    assert "service problem" in error.value.message
    assert "(503)" in error.value.message
    assert "network" not in error.value.hint.lower()
