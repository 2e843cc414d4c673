"""The journeys' helpers against a one-widget app: choose() opens a selectbox at the
sidebar's bottom edge, where the Chat page's endpoint box can land (the cost notice's captions
above it wrap onto more lines or fewer), and picks on the first try."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.server import AppServer, free_port
from tests.browser.ui import choose, selection

pytestmark = pytest.mark.browser

# A spacer of `space` px above the box in the sidebar, chosen by the URL.
APP = """
import streamlit as st
with st.sidebar:
    st.container(height=int(st.query_params.get("space", "600")), border=False)
    st.selectbox("Endpoint", ["model-v1", "model-base"], key="endpoint")
st.title("Helpers")
"""
# With the test viewport (860 px high), the box straddles the bottom edge from ~710 px on:
# Playwright's own scroll-then-click closed the list there every time before the fix.
SPACES = range(660, 820, 20)


@pytest.fixture(scope="module")
def helper_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("helper-app")
    (root / "app.py").write_text(APP)
    server = AppServer(root, root / "home", free_port(), root / "streamlit.log")
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("space", SPACES)
def test_choose_picks_in_a_box_at_the_sidebar_s_bottom_edge(page, helper_app, space):
    page.goto(f"{helper_app.url}/?space={space}")
    expect(page.get_by_role("heading", name="Helpers")).to_be_visible()
    choose(page, "endpoint", "model-base")
    expect(selection(page, "endpoint")).to_have_value("model-base")
