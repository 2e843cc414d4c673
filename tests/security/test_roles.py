"""Roles: who is an operator (e-mail list or group claim), and the refusal a viewer gets."""

from __future__ import annotations

import json

import pytest

from services.errors import NotAllowedError
from services.security.roles import (
    Caller,
    Role,
    RoleRules,
    caller_from_claims,
    local_caller,
    require_operator,
)

RULES = RoleRules.from_config(
    {
        "operators": ["Alice@Contoso.com"],
        "operator_groups": ["ops-group-id"],
        "group_claim": "groups",
    }
)
VIEWER = Caller(name="Vic", email="vic@contoso.com", role=Role.VIEWER, source="sign-in")


def audit_lines(home) -> list[dict]:
    path = home / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_an_operator_by_email_ignores_case():
    caller = caller_from_claims({"email": "alice@contoso.COM", "name": "Alice"}, RULES)
    assert caller == Caller("Alice", "alice@contoso.COM", Role.OPERATOR, "sign-in")
    assert caller.actor.name == "alice@contoso.COM" and caller.actor.source == "sign-in"


def test_an_operator_by_group_claim_a_list_or_a_single_value():
    assert (
        RULES.role_for({"email": "carol@x.org", "groups": ["other", "ops-group-id"]}) == "operator"
    )
    assert RULES.role_for({"email": "carol@x.org", "groups": "ops-group-id"}) == "operator"


def test_a_custom_group_claim_is_read_by_its_name():
    rules = RoleRules.from_config({"operator_groups": ["admins"], "group_claim": "roles"})
    assert rules.role_for({"roles": ["admins"], "groups": []}) is Role.OPERATOR
    assert rules.role_for({"groups": ["admins"]}) is Role.VIEWER


def test_everyone_else_who_signs_in_is_a_viewer():
    assert RULES.role_for({"email": "mallory@contoso.com", "groups": ["ops"]}) is Role.VIEWER
    assert RULES.role_for({"sub": "no-email"}) is Role.VIEWER
    assert RoleRules.from_config(None).role_for({"email": "alice@contoso.com"}) is Role.VIEWER


def test_entra_without_a_mailbox_is_matched_by_preferred_username():
    claims = {"preferred_username": "alice@contoso.com", "name": "Alice"}
    assert caller_from_claims(claims, RULES).role is Role.OPERATOR


def test_a_name_falls_back_to_the_email_then_the_subject():
    assert caller_from_claims({"email": "e@x.org"}, RULES).name == "e@x.org"
    assert caller_from_claims({"sub": "42"}, RULES).name == "42"


def test_without_sign_in_the_machine_user_is_an_operator():
    caller = local_caller()
    assert caller.is_operator and caller.source == "local"


def test_a_viewer_is_refused_with_who_may_do_it_and_the_refusal_is_audited(studio_home):
    with pytest.raises(NotAllowedError) as refused:
        require_operator(VIEWER, "deploy", "chat-endpoint")
    assert "vic@contoso.com is a viewer" in refused.value.message
    assert "only an operator may deploy an endpoint" in refused.value.message
    assert "[roles]" in refused.value.hint
    (line,) = audit_lines(studio_home)
    assert line["who"] == {"name": "vic@contoso.com", "source": "sign-in"}
    assert (line["action"], line["resource"], line["outcome"]) == (
        "deploy",
        "chat-endpoint",
        "refused",
    )
    assert line["error"] == "NotAllowedError"


def test_operators_and_the_command_line_pass(studio_home):
    require_operator(None, "deploy")
    require_operator(local_caller(), "deploy")
    assert audit_lines(studio_home) == []


def test_the_command_line_exit_code_of_a_refusal_is_refused():
    assert NotAllowedError.exit_code == 1


def test_a_process_started_for_someone_acts_as_them(studio_home, monkeypatch):
    from services.security import audit

    monkeypatch.setenv(audit.ACTOR_ENV, audit.actor_env(VIEWER.actor)[audit.ACTOR_ENV])
    audit.append("deploy", "ep", "ok")
    assert audit_lines(studio_home)[0]["who"] == {"name": "vic@contoso.com", "source": "sign-in"}
