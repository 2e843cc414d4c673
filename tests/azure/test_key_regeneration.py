"""Backend.regenerate_key on Azure: the real SDK's begin_regenerate_keys, polled to its end,
and the new key is what scoring_target reads next. A viewer never reaches the workspace."""

from __future__ import annotations

import json

import pytest

from services.errors import EndpointError, NotAllowedError
from services.security.guarded_backend import GuardedBackend
from services.security.roles import Caller, Role


def test_regenerate_key_calls_regenerate_keys_and_the_new_key_is_read_next(
    backend, workspace, fake, studio_home
):
    workspace.add_endpoint("made-in-studio")
    old_key = backend.scoring_target("made-in-studio").key

    backend.regenerate_key("made-in-studio")
    new_key = backend.scoring_target("made-in-studio").key

    (sent,) = fake.sent("POST", r"/onlineEndpoints/made-in-studio/regenerateKeys$")
    assert sent.json()["keyType"] == "Primary"
    assert fake.sent("GET", r"/mfeOperation(sStatus|Results)/")  # waited for, not fire and forget
    assert old_key == "primary-key-of-made-in-studio"
    assert new_key != old_key and new_key.endswith("-key-of-made-in-studio")
    (line,) = [json.loads(x) for x in (studio_home / "audit.log").read_text().splitlines()]
    assert (line["action"], line["resource"], line["outcome"]) == (
        "regenerate_key",
        "made-in-studio",
        "ok",
    )
    assert old_key not in json.dumps(line) and new_key not in json.dumps(line)


def test_a_token_endpoint_has_no_key_to_regenerate(backend, workspace, fake):
    workspace.add_endpoint("token-only", auth_mode="AMLToken")
    with pytest.raises(EndpointError, match="Cannot regenerate the key"):
        backend.regenerate_key("token-only")
    assert not fake.sent("POST", r"/regenerateKeys$")


def test_a_viewer_is_refused_before_any_request(backend, workspace, fake):
    workspace.add_endpoint("made-in-studio")
    viewer = GuardedBackend(backend, Caller("Vic", "vic@contoso.com", Role.VIEWER, "sign-in"))
    before = len(fake.sent("POST", r"."))
    with pytest.raises(NotAllowedError):
        viewer.regenerate_key("made-in-studio")
    assert len(fake.sent("POST", r".")) == before
