"""Refuse to serve on a non-loopback address without sign-in (services/security/exposure.py).

Streamlit runs app.py only when a browser connects, not when the server starts (it has no
start-up hook short of turning app.py into an st.App ASGI app), so the check runs at the top of
every script run: the first visit runs nothing of the app and stops the server, which prints
the message on its console.
"""

from __future__ import annotations

import os
import signal
import sys

import streamlit as st
from streamlit import config

from services.security.exposure import exposure_refusal, trusted_network


def has_auth() -> bool:
    """Whether .streamlit/secrets.toml configures sign-in (an [auth] section)."""
    return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)


def refuse_unless_safe() -> None:
    refusal = exposure_refusal(st.get_option("server.address"), has_auth(), trusted_network())
    if refusal is None:
        return
    print(refusal, file=sys.stderr, flush=True)
    # Only under `streamlit run` (bootstrap sets the server mode); AppTest has no server to stop.
    if getattr(config, "_server_mode", None):
        os.kill(os.getpid(), signal.SIGTERM)  # Streamlit's own handler stops the server
    st.error(refusal)
    st.stop()
