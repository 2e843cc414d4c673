"""Draw the part of a page that reads MLflow after the rest of the page, while MLflow is cold.

Importing mlflow and opening its sqlite store takes seconds in a fresh server process. A page
whose charts or listings need it draws its frame (title, selectors) and a placeholder instead,
in the same script run, which then ends; a moment later a fragment timer reruns the page, and
that run draws the part itself, loading MLflow. Once this process has opened the local store
(services.tracking.local_client_opened), or once per session and page, the part is drawn in
place at once, as any other.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from services import tracking

FIRST_DRAW_DELAY_S = 0.2  # long enough for the browser to show the frame first


def draw_when_mlflow_is_ready(key: str, draw: Callable[[], None], waiting: str) -> None:
    """draw() now when MLflow is warm; else `waiting` now and draw() on a rerun right after."""
    ready = f"deferred_{key}_ready"  # once per session: after that the page draws in place
    if tracking.local_client_opened() or st.session_state.get(ready):
        draw()
        return
    pending = f"deferred_{key}_pending"
    st.session_state[pending] = True

    def placeholder() -> None:
        # The page's own run shows the placeholder and ends; the timer's first run asks for
        # the whole page again, which then draws the part in place (loading MLflow).
        if st.session_state.pop(pending, False):
            st.caption(f":material/hourglass_top: {waiting}")
            return
        st.session_state[ready] = True
        st.rerun()

    st.fragment(placeholder, run_every=FIRST_DRAW_DELAY_S)()
