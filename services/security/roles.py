"""Who is calling, and what their role lets them do: operators do everything, viewers look.

With sign-in (an [auth] section in .streamlit/secrets.toml), everyone who signs in is a viewer
unless the [roles] section names them an operator: by e-mail address (`operators`), or by a
value of a group claim of their identity token (`operator_groups`, in the claim
`group_claim`, default "groups": Entra ID puts group object ids there). Without sign-in the
app is one person on localhost, the machine's own user: an operator, as is the command line.

Services take the caller from the page layer (services never read Streamlit's st.user) and
refuse an operator action to a viewer with NotAllowedError, audited as "refused".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from services.errors import NotAllowedError
from services.security.audit import Actor, append, local_actor

DEFAULT_GROUP_CLAIM = "groups"


class Role(StrEnum):
    OPERATOR = "operator"  # everything: submit, cancel, register, deploy, delete, keys, evaluate
    VIEWER = "viewer"  # browse demo and prepared data, jobs, metrics, results; chat


@dataclass(frozen=True)
class Caller:
    """The person behind a request: shown in the sidebar, written in the audit log."""

    name: str
    email: str = ""
    role: Role = Role.OPERATOR
    source: str = "local"  # "local" (the machine's user) or "sign-in"

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    @property
    def actor(self) -> Actor:
        """Who the audit log names: the e-mail address when there is one."""
        return Actor(self.email or self.name, self.source)


def local_caller() -> Caller:
    """The machine's own user: no sign-in configured, or the command line."""
    return Caller(name=local_actor().name, role=Role.OPERATOR, source="local")


@dataclass(frozen=True)
class RoleRules:
    """Who is an operator, from the [roles] section of .streamlit/secrets.toml."""

    operator_emails: frozenset[str] = field(default_factory=frozenset)
    operator_groups: frozenset[str] = field(default_factory=frozenset)
    group_claim: str = DEFAULT_GROUP_CLAIM

    @classmethod
    def from_config(cls, section: Mapping | None) -> RoleRules:
        """Read {"operators": [e-mails], "operator_groups": [ids], "group_claim": name}."""
        section = section or {}
        return cls(
            operator_emails=frozenset(_lowered(section.get("operators", ()))),
            operator_groups=frozenset(str(g) for g in _listed(section.get("operator_groups"))),
            group_claim=str(section.get("group_claim", DEFAULT_GROUP_CLAIM)),
        )

    def role_for(self, claims: Mapping) -> Role:
        """Operator when the e-mail is listed or a listed group is in the group claim."""
        if _email(claims).lower() in self.operator_emails:
            return Role.OPERATOR
        groups = {str(g) for g in _listed(claims.get(self.group_claim))}
        return Role.OPERATOR if groups & self.operator_groups else Role.VIEWER


def caller_from_claims(claims: Mapping, rules: RoleRules) -> Caller:
    """The signed-in person from their identity token's claims (st.user in the app)."""
    email = _email(claims)
    name = str(claims.get("name") or email or claims.get("sub") or "unknown")
    return Caller(name=name, email=email, role=rules.role_for(claims), source="sign-in")


def require_operator(caller: Caller | None, action: str, resource: str = "") -> None:
    """Refuse `action` (e.g. "deploy") to a viewer; None is the machine's user (the CLI)."""
    if caller is None or caller.is_operator:
        return
    append(action, resource, "refused", who=caller.actor, error=NotAllowedError.__name__)
    raise NotAllowedError(
        f"{caller.email or caller.name} is a viewer: only an operator may {_verb(action)}.",
        "Ask an operator to do it, or to add you to the operators ([roles] in "
        ".streamlit/secrets.toml; README, 'Share it safely').",
    )


VERBS = {
    "submit": "submit a job",
    "cancel": "cancel a job",
    "register": "register a model",
    "deploy": "deploy an endpoint",
    "delete": "delete an endpoint",
    "reveal_key": "see an endpoint's key",
    "regenerate_key": "regenerate an endpoint's key",
    "evaluate": "start or cancel an evaluation",
    "upload": "upload a file",
    "read_path": "open a file by its path on the server",
    "fetch_hub": "download a dataset from the hub",
    "prepare": "prepare a dataset",
    "add_model_folder": "add a model folder",
    "name_model": "get a model by a typed name or path",
    "create_compute": "create a compute cluster",
    "demo": "run the demo",
}


def _verb(action: str) -> str:
    return VERBS.get(action, action.replace("_", " "))


def _email(claims: Mapping) -> str:
    # Entra ID sends `email` only when the account has a mailbox; preferred_username is the UPN.
    return str(claims.get("email") or claims.get("preferred_username") or "")


def _listed(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, Iterable) else [value]


def _lowered(values: object) -> list[str]:
    return [str(v).strip().lower() for v in _listed(values)]
