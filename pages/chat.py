"""Chat page: talk to a deployed endpoint (local or Azure), or to two at once to compare.

History lives in session state; each reply streams where the endpoint streams (st.write_stream
types out one that arrives whole) and shows its latency and the exact request (key masked)
and raw response.
"""

import streamlit as st

from pages.shared import state
from pages.shared.backend import current_backend
from pages.shared.entry import ensure_app_navigation
from pages.shared.errors import show_error
from services.chat.client import ChatCall
from services.chat.conversation import assistant_turn, grouped, latency_text, messages_for
from services.chat.endpoints import chat_endpoints
from services.chat.export import conversation_json, conversation_markdown
from services.chat.test_prompts import random_test_prompt
from services.errors import StudioError
from services.serving.contract import DEFAULT_PARAMETERS

ensure_app_navigation()

HISTORY = "chat_history"


def settings(running: list[str]) -> tuple[list[str], str, dict]:
    """The sidebar: (endpoints to send to, system prompt, sampling parameters)."""
    with st.sidebar:
        st.subheader("Chat settings")
        endpoint = st.selectbox("Endpoint", running, key=state.CHAT_ENDPOINT)
        endpoints = [endpoint]
        if st.toggle("Compare with a second endpoint", key="chat_compare"):
            others = [name for name in running if name != endpoint] or running
            endpoints.append(st.selectbox("Second endpoint", others, key="chat_endpoint_b"))
        system_prompt = st.text_area("System prompt", key="chat_system_prompt")
        defaults = DEFAULT_PARAMETERS
        parameters = {
            "temperature": st.slider(
                "temperature", 0.0, 2.0, defaults["temperature"], key="chat_temperature"
            ),
            "top_p": st.slider("top_p", 0.05, 1.0, defaults["top_p"], key="chat_top_p"),
            "max_new_tokens": st.number_input(
                "max_new_tokens", 1, 4096, defaults["max_new_tokens"], key="chat_max_tokens"
            ),
            "do_sample": st.checkbox("do_sample", bool(defaults["do_sample"]), key="chat_sample"),
        }
    return endpoints, system_prompt, parameters


def show_reply(turn: dict) -> None:
    st.caption(latency_text(turn))
    with st.expander("Request and response"):
        st.json(turn["request"], expanded=False)
        st.json(turn["response"], expanded=False)


def answer(name: str, messages: list[dict], parameters: dict, history: list[dict]) -> None:
    """Send the conversation to one endpoint and draw its reply as it arrives."""
    with st.chat_message("assistant"):
        try:
            call = ChatCall(current_backend().scoring_target(name), messages, parameters)
            st.write_stream(call)
        except StudioError as error:
            show_error(error, name)
            return
        assert call.reply is not None  # write_stream read the whole reply
        turn = assistant_turn(name, call.reply)
        show_reply(turn)
    history.append(turn)


def show_history(history: list[dict]) -> None:
    for group in grouped(history):
        columns = st.columns(len(group)) if len(group) > 1 else [st.container()]
        for column, turn in zip(columns, group, strict=True):
            with column, st.chat_message(turn["role"]):
                st.markdown(turn["content"])
                if turn["role"] == "assistant":
                    show_reply(turn)


def toolbar(history: list[dict], system_prompt: str, parameters: dict) -> bool:
    """Test prompt, clear and export buttons; whether "Try a test prompt" was clicked."""
    tools = st.columns(4)
    test_clicked = tools[0].button(
        "Try a test prompt", key="chat_test_prompt", icon=":material/casino:"
    )
    if tools[1].button("Clear", key="chat_clear", icon=":material/delete_sweep:"):
        st.session_state[HISTORY] = []
        st.rerun()
    markdown = conversation_markdown(history, system_prompt=system_prompt, parameters=parameters)
    tools[2].download_button("Markdown", markdown, "conversation.md", key="chat_export_md")
    json_text = conversation_json(history, system_prompt=system_prompt, parameters=parameters)
    tools[3].download_button("JSON", json_text, "conversation.json", key="chat_export_json")
    return test_clicked


def test_prompt() -> str | None:
    """A user turn of the prepared test data, or None (said why)."""
    try:
        test = random_test_prompt()
    except StudioError as error:
        show_error(error, level="warning")
        return None
    st.caption(f"Test prompt: {test.dataset}/{test.split} row {test.row}")
    return test.text


def send(prompt: str, endpoints: list[str], system_prompt: str, parameters: dict) -> None:
    history = st.session_state[HISTORY]
    history.append({"role": "user", "content": prompt})
    with st.chat_message("user"):
        st.markdown(prompt)
    sent = {name: messages_for(history, name, system_prompt) for name in endpoints}
    for column, name in zip(st.columns(len(endpoints)), endpoints, strict=True):
        with column:
            answer(name, sent[name], parameters, history)


st.title("Chat")
try:
    running = chat_endpoints(current_backend())
except StudioError as error:
    show_error(error)
    st.stop()
if not running:
    st.info("No running endpoint: deploy one on the Deploy page.")
    st.page_link("pages/deploy.py", label="Go to Deploy", icon=":material/rocket_launch:")
    st.stop()
endpoints, system_prompt, parameters = settings(running)
history = st.session_state.setdefault(HISTORY, [])
show_history(history)
test_clicked = toolbar(history, system_prompt, parameters)
prompt = st.chat_input("Message", key="chat_input")
if test_clicked:
    prompt = test_prompt()
if prompt:
    send(prompt, endpoints, system_prompt, parameters)
