"""The backend the pages talk to, built once per connection and cached, seen as the caller.

Pages get it wrapped in GuardedBackend: a viewer's request to submit, deploy, delete (...) is
refused by the service, whatever the page shows (services/security/guarded_backend.py).
"""

from __future__ import annotations

import json

import streamlit as st

from pages.shared import state
from pages.shared.signin import current_caller
from services.backends import create_backend, default_backend_name
from services.backends.base import Backend
from services.security.guarded_backend import GuardedBackend


@st.cache_resource(show_spinner="Connecting…")
def _cached_backend(name: str, options_json: str) -> Backend:
    return create_backend(name, **json.loads(options_json))


def backend_name() -> str:
    return st.session_state.setdefault(state.BACKEND, default_backend_name())


def current_backend() -> Backend:
    """The active backend, as the caller may use it; Azure raises services.errors.AzureError
    when it cannot connect."""
    return GuardedBackend(connected_backend(), current_caller())


def connected_backend() -> Backend:
    """The active backend itself, for describing the connection (no role checks: never act
    through it)."""
    return _cached_backend(*connection())


def connection() -> tuple[str, str]:
    """(backend name, its connection options as JSON): which connection the session uses, the
    key of every cache of what a backend answered. Only azure takes options (the Connect form)."""
    name = backend_name()
    options = st.session_state.get(state.AZURE_OPTIONS, {}) if name == "azure" else {}
    return name, json.dumps(options, sort_keys=True)
