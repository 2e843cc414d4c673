"""Make sure a page runs inside app.py's navigation, also on the first visit to a page URL.

Streamlit treats a folder named pages/ next to the entry script as its older multipage
convention: until app.py has run st.navigation once in this server process, a page URL
(a shared link, or a tab left open across a server restart) runs that page file alone, with no
sidebar and Streamlit's own file list as navigation. When that happens, the page turns the
convention off and runs app.py in its place, whose st.navigation then runs the page the URL
names, in the same script run (so a click that started the run is not lost).
"""

from __future__ import annotations

import runpy

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def ensure_app_navigation() -> None:
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    context = get_script_run_ctx()
    if context is None:
        return
    runpy.run_path(str(context.pages_manager.main_script_path), run_name="__main__")
    st.stop()
