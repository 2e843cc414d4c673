"""The sidebar every page shares: who is signed in, the active backend, where local state lives."""

from __future__ import annotations

import streamlit as st

from pages.shared.backend import backend_name
from pages.shared.cost_notice import render_cost_notice
from pages.shared.signin import render_signed_in
from services.backends.azure.connection import switch_offer
from services.config import studio_home
from services.security.roles import Caller


def render_sidebar(caller: Caller) -> None:
    with st.sidebar:
        render_signed_in(caller)
        st.markdown(f"**Backend:** `{backend_name()}`")
        if offer := switch_offer(backend_name()):
            st.caption(offer)
        st.caption(f"Local state: `{studio_home()}`")
        render_cost_notice()
