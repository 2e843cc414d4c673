"""The sidebar every page shares: the active backend and where local state lives."""

from __future__ import annotations

import streamlit as st

from pages.shared.backend import backend_name
from services.config import studio_home


def render_sidebar() -> None:
    with st.sidebar:
        st.markdown(f"**Backend:** `{backend_name()}`")
        st.caption(f"Local state: `{studio_home()}`")
