"""Chat page: talk to a deployed endpoint (local or Azure), or to two at once to compare.

History lives in session state; each reply streams where the endpoint streams and shows its
latency and the exact request (key masked) and raw response.
"""

import re
import time

import streamlit as st

from pages.shared import state
from pages.shared.backend import current_backend
from pages.shared.entry import ensure_app_navigation
from services.chat.client import ChatCall
from services.chat.conversation import assistant_turn, grouped, latency_text, messages_for
from services.chat.export import conversation_json, conversation_markdown
from services.chat.test_prompts import random_test_prompt
from services.errors import StudioError
from services.serving.contract import DEFAULT_PARAMETERS

ensure_app_navigation()

HISTORY = "chat_history"

backend = current_backend()
st.title("Chat")
running = [e.name for e in backend.list_endpoints() if e.status.takes_requests]
if not running:
    st.info("No running endpoint: deploy one on the Deploy page.")
    st.page_link("pages/deploy.py", label="Go to Deploy", icon=":material/rocket_launch:")
    st.stop()

with st.sidebar:
    st.subheader("Chat settings")
    endpoint = st.selectbox("Endpoint", running, key=state.CHAT_ENDPOINT)
    compare = st.toggle("Compare with a second endpoint", key="chat_compare")
    other = (
        st.selectbox(
            "Second endpoint",
            [name for name in running if name != endpoint] or running,
            key="chat_endpoint_b",
        )
        if compare
        else None
    )
    system_prompt = st.text_area("System prompt", key="chat_system_prompt")
    parameters = {
        "temperature": st.slider(
            "temperature", 0.0, 2.0, DEFAULT_PARAMETERS["temperature"], key="chat_temperature"
        ),
        "top_p": st.slider("top_p", 0.05, 1.0, DEFAULT_PARAMETERS["top_p"], key="chat_top_p"),
        "max_new_tokens": st.number_input(
            "max_new_tokens", 1, 4096, DEFAULT_PARAMETERS["max_new_tokens"], key="chat_max_tokens"
        ),
        "do_sample": st.checkbox(
            "do_sample", bool(DEFAULT_PARAMETERS["do_sample"]), key="chat_sample"
        ),
    }
endpoints = [name for name in (endpoint, other) if name]  # None: no second one chosen
history = st.session_state.setdefault(HISTORY, [])


def show_reply(turn: dict) -> None:
    st.caption(latency_text(turn))
    with st.expander("Request and response"):
        st.json(turn["request"], expanded=False)
        st.json(turn["response"], expanded=False)


def progressively(call: ChatCall):
    """Pieces as they stream; a reply that arrives whole is typed out word by word."""
    for piece in call:
        if call.stream:
            yield piece
            continue
        words = re.split(r"(?<=\s)", piece)
        for word in words:
            yield word
            time.sleep(min(0.02, 1.5 / max(len(words), 1)))


def answer(name: str, messages: list[dict]) -> None:
    """Send the conversation to one endpoint and draw its reply as it arrives."""
    with st.chat_message("assistant"):
        try:
            call = ChatCall(backend.scoring_target(name), messages, parameters)
            st.write_stream(progressively(call))
        except StudioError as error:
            st.error(f"**{name}**: {error.message} {error.hint}")
            return
        assert call.reply is not None  # write_stream read the whole reply
        turn = assistant_turn(name, call.reply)
        show_reply(turn)
    history.append(turn)


for group in grouped(history):
    columns = st.columns(len(group)) if len(group) > 1 else [st.container()]
    for column, turn in zip(columns, group, strict=True):
        with column, st.chat_message(turn["role"]):
            st.markdown(turn["content"])
            if turn["role"] == "assistant":
                show_reply(turn)

tools = st.columns(4)
test_clicked = tools[0].button(
    "Try a test prompt", key="chat_test_prompt", icon=":material/casino:"
)
if tools[1].button("Clear", key="chat_clear", icon=":material/delete_sweep:"):
    st.session_state[HISTORY] = []
    st.rerun()
tools[2].download_button(
    "Markdown",
    conversation_markdown(history, system_prompt=system_prompt, parameters=parameters),
    "conversation.md",
    key="chat_export_md",
)
tools[3].download_button(
    "JSON",
    conversation_json(history, system_prompt=system_prompt, parameters=parameters),
    "conversation.json",
    key="chat_export_json",
)

prompt = st.chat_input("Message", key="chat_input")
if test_clicked:
    try:
        test = random_test_prompt()
        prompt = test.text
        st.caption(f"Test prompt: {test.dataset}/{test.split} row {test.row}")
    except StudioError as error:
        st.warning(f"{error.message} {error.hint}")
if prompt:
    history.append({"role": "user", "content": prompt})
    with st.chat_message("user"):
        st.markdown(prompt)
    sent = {name: messages_for(history, name, system_prompt) for name in endpoints}
    for column, name in zip(st.columns(len(endpoints)), endpoints, strict=True):
        with column:
            answer(name, sent[name])
