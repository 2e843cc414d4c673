"""Key regeneration and the audit trail on a real local endpoint (tiny model, real HTTP)."""

from __future__ import annotations

import json

import pytest
import requests

from services.backends.local import LocalBackend
from services.errors import JobError
from services.security.endpoint_keys import reveal_key
from tests.serving.tiny_model import JOB_ID, build_finished_job

BODY = {
    "input_data": {
        "input_string": [{"role": "user", "content": "Hi"}],
        "parameters": {"do_sample": False, "max_new_tokens": 2},
    }
}


def status_with(uri: str, key: str) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    return requests.post(uri, json=BODY, headers=headers, timeout=60).status_code


def test_regenerate_refuses_the_old_key_at_once_and_every_action_is_audited(studio_home):
    build_finished_job(studio_home)
    backend = LocalBackend()
    model = backend.register_model(JOB_ID)
    endpoint = backend.deploy(model.name, model.version)
    try:
        old_key = reveal_key(backend, endpoint.name)
        assert status_with(endpoint.scoring_uri, old_key) == 200

        backend.regenerate_key(endpoint.name)
        new_key = reveal_key(backend, endpoint.name)
        assert new_key != old_key
        assert status_with(endpoint.scoring_uri, old_key) == 401  # the very next request
        assert status_with(endpoint.scoring_uri, new_key) == 200
    finally:
        backend.delete_endpoint(endpoint.name)

    log = (studio_home / "audit.log").read_text()
    assert old_key not in log and new_key not in log
    entries = [json.loads(line) for line in log.splitlines()]
    assert [(e["action"], e["resource"], e["outcome"]) for e in entries] == [
        ("register", f"{model.name}:{model.version}", "ok"),
        ("deploy", endpoint.name, "ok"),
        ("reveal_key", endpoint.name, "ok"),
        ("regenerate_key", endpoint.name, "ok"),
        ("reveal_key", endpoint.name, "ok"),
        ("delete", endpoint.name, "ok"),
    ]
    assert entries[1]["model"] == f"{model.name}:{model.version}"


def test_cancel_of_an_unknown_job_is_audited_as_failed(studio_home):
    with pytest.raises(JobError):
        LocalBackend().cancel_job("job-that-never-was")
    (entry,) = [json.loads(line) for line in (studio_home / "audit.log").read_text().splitlines()]
    assert (entry["action"], entry["outcome"], entry["error"]) == ("cancel", "failed", "JobError")
