"""Draw a page's slow part after the rest of the page while the process is cold.

In a fresh server process, importing mlflow and opening its sqlite store takes seconds, and so
does the first plotly figure and the first tokenizer. A page whose charts or listings need
them draws its frame (title, selectors, a sample) and a placeholder instead, in a script run
that then ends; a moment later a fragment timer asks for the page again, and that run draws
the part itself. Once the process is warm (the caller says what that means), or after the
first time in a session, the part is drawn in place at once, as any other.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

FIRST_DRAW_DELAY_S = 0.2  # long enough for the browser to show the frame first
# Key prefix of each placeholder's container: its element has the class st-key-<key> (bench).
PLACEHOLDER_KEY = "deferred_placeholder"


def draw_after_first_paint(key: str, draw: Callable[[], None], waiting: str, *, warm: bool) -> None:
    """draw() now when `warm`; else `waiting` now and draw() on a rerun right after."""
    ready = f"deferred_{key}_ready"  # once per session: after that the page draws in place
    if warm or st.session_state.get(ready):
        draw()
        return
    pending = f"deferred_{key}_pending"
    st.session_state[pending] = True

    def placeholder() -> None:
        # The page's own run shows the placeholder and ends; the timer's first run asks for
        # the whole page again, which then draws the part in place.
        if st.session_state.pop(pending, False):
            with st.container(key=f"{PLACEHOLDER_KEY}_{key}"):
                st.caption(f":material/hourglass_top: {waiting}")
            return
        st.session_state[ready] = True
        st.rerun()

    st.fragment(placeholder, run_every=FIRST_DRAW_DELAY_S)()
