"""Sign-in (Streamlit's st.login: OpenID Connect) and the caller every page acts as.

Without an [auth] section in .streamlit/secrets.toml there is no sign-in: the app is the
machine's own user on localhost, an operator. With it, app.py shows only a sign-in screen until
the person signs in; their role comes from the [roles] section (services/security/roles.py).
Pages hide what a viewer may not do (`is_operator`); the services refuse it too.
"""

from __future__ import annotations

import streamlit as st

from pages.shared.exposure import has_auth
from services.security.roles import Caller, Role, RoleRules, caller_from_claims, local_caller

ROLES_SECTION = "roles"


def current_caller() -> Caller:
    """Who is using this session: the signed-in person, or the machine's user without sign-in.

    With sign-in configured but nobody signed in (a fragment after sign-out), a viewer with no
    name: the safe side.
    """
    if not has_auth():
        return local_caller()
    if not st.user.is_logged_in:
        return Caller(name="not signed in", role=Role.VIEWER, source="sign-in")
    rules = RoleRules.from_config(st.secrets.get(ROLES_SECTION))
    return caller_from_claims(st.user.to_dict(), rules)


def is_operator() -> bool:
    """Whether this session may see the controls that spend money or change state."""
    return current_caller().is_operator


def require_sign_in() -> Caller:
    """The caller; with sign-in configured and nobody signed in, the sign-in screen instead.

    The screen is the only page of its own navigation: without it, a first visit to a fresh
    server would list the files of pages/ (Streamlit's older multipage convention).
    """
    if has_auth() and not st.user.is_logged_in:
        screen = st.Page(_sign_in_screen, title="Sign in", url_path="signin", default=True)
        st.navigation([screen], position="hidden").run()
        st.stop()
    return current_caller()


def _sign_in_screen() -> None:
    st.title("Fine-Tune Studio")
    st.write("Sign in to continue.")
    st.button("Sign in", type="primary", key="signin_login", on_click=st.login)


def render_signed_in(caller: Caller) -> None:
    """Who is signed in, their role and a sign-out button (nothing without sign-in)."""
    if caller.source != "sign-in":
        return
    st.markdown(f"**{caller.name}** · {caller.role.value}")
    if caller.email and caller.email != caller.name:
        st.caption(caller.email)
    if not caller.is_operator:
        st.caption("Viewer: browse jobs, metrics and results, and chat with endpoints.")
    st.button("Sign out", key="signin_logout", icon=":material/logout:", on_click=st.logout)
