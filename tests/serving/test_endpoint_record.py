"""endpoint.json as a typed record, and the endpoint statuses."""

from __future__ import annotations

import json

import pytest

from services.backends.base import EndpointInfo
from services.serving import endpoint_record
from services.serving.endpoint_record import EndpointRecord
from services.status import EndpointStatus


def test_a_record_round_trips(tmp_path):
    record = EndpointRecord(
        name="m-v1", kind="registered", model_name="m", model_version="1", created_at=5.0
    )
    record.pid, record.pid_stamp = 123, "1700000000.25"
    endpoint_record.save(tmp_path, record)
    assert endpoint_record.load(tmp_path) == record


def test_an_older_or_partial_record_loads_with_defaults(tmp_path):
    (tmp_path / "endpoint.json").write_text(
        json.dumps({"model_name": "m", "model_version": 3, "pid": 9, "extra": "ignored"})
    )
    record = endpoint_record.load(tmp_path)
    assert (record.name, record.model_version, record.pid, record.pid_stamp) == (
        tmp_path.name,
        "3",
        9,
        "",
    )
    (tmp_path / "endpoint.json").write_text("{not json")
    assert endpoint_record.load(tmp_path) == EndpointRecord(name=tmp_path.name)


@pytest.mark.parametrize(
    ("state", "status", "takes_requests", "is_down"),
    [
        ("Succeeded", "running", True, False),
        ("Creating", "provisioning", False, False),
        ("Updating", "provisioning", False, False),
        ("Deleting", "deleting", False, False),
        ("Failed", "failed", False, True),
        ("Canceled", "failed", False, True),
        ("SomethingNew", "unknown", False, False),
    ],
)
def test_azure_provisioning_states(state, status, takes_requests, is_down):
    mapped = EndpointStatus.from_azure(state)
    assert mapped == status
    assert (mapped.takes_requests, mapped.is_down) == (takes_requests, is_down)


def test_an_unresponsive_endpoint_still_takes_requests_and_words_become_statuses():
    assert EndpointStatus.UNRESPONSIVE.takes_requests
    assert EndpointStatus.STOPPED.is_down and not EndpointStatus.STARTING.is_down
    info = EndpointInfo(name="e", backend="local", scoring_uri="", status="unresponsive")
    assert info.status is EndpointStatus.UNRESPONSIVE
    assert json.dumps({"status": info.status}) == '{"status": "unresponsive"}'
    with pytest.raises(ValueError):
        EndpointInfo(name="e", backend="local", scoring_uri="", status="deleted")
