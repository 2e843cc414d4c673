"""The one error display (pages/shared/errors.py) and the catch around a page run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def failing_page() -> None:
    import streamlit as st

    from pages.shared.errors import errors_shown
    from services.errors import EndpointError

    st.session_state.setdefault("runs", 0)
    st.session_state["runs"] += 1
    st.text_input("Name", key="name")
    with errors_shown():
        if st.session_state.get("fail") == "bug":
            raise KeyError("missing")
        if st.session_state.get("fail") == "studio":
            raise EndpointError("The endpoint refused the key (401).", "Reveal the new key.")
        st.write("drawn")


def test_an_unexpected_error_is_shown_short_with_details_and_the_session_kept():
    at = AppTest.from_function(failing_page).run()
    at.text_input(key="name").input("kept").run()
    at.session_state["fail"] = "bug"
    at.run()
    assert "Something went wrong on this page (KeyError: 'missing')" in at.error[0].value
    assert at.expander[0].label == "Details" and at.exception  # the traceback, folded
    assert at.text_input(key="name").value == "kept" and at.session_state["runs"] == 3
    at.session_state["fail"] = None
    at.run()
    assert not at.error and "drawn" in [m.value for m in at.markdown]


def test_a_studio_error_the_page_missed_shows_its_message_and_hint():
    at = AppTest.from_function(failing_page)
    at.session_state["fail"] = "studio"
    at.run()
    assert [e.value for e in at.error] == ["The endpoint refused the key (401)."]
    assert [i.value for i in at.info] == ["Reveal the new key."]
    assert not at.exception


def reasons_page() -> None:
    from pages.shared.errors import show_error
    from services.errors import ValidationError

    error = ValidationError("refused", "Lower it.", reasons=["lr too high", "steps < 1"])
    show_error(error)
    show_error(error, "No estimate", level="warning")


def test_show_error_lists_each_reason_then_the_hint():
    at = AppTest.from_function(reasons_page).run()
    assert [e.value for e in at.error] == ["lr too high", "steps < 1"]
    assert [w.value for w in at.warning] == [
        "**No estimate**: lr too high",
        "**No estimate**: steps < 1",
    ]
    assert [i.value for i in at.info] == ["Lower it.", "Lower it."]


def test_the_app_catches_what_a_page_raises(monkeypatch):
    from services.chat import endpoints
    from tests.app_helpers import open_page

    def broken(backend):
        raise RuntimeError("boom")

    monkeypatch.setattr(endpoints, "chat_endpoints", broken)
    at = open_page("chat")
    assert "Something went wrong on this page (RuntimeError: boom)" in at.error[0].value
    assert "Backend" in at.sidebar.markdown[0].value  # the frame around the page still drew
