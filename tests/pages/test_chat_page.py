"""The Chat page against a real local endpoint (tiny model), through the real app."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from services.serving import local_endpoints
from tests.app_helpers import open_page
from tests.serving.endpoint_fixture import deployed_tiny_model


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with deployed_tiny_model(tmp_path_factory.mktemp("chat-page")) as deployed:
        yield deployed


@pytest.fixture
def chat(deployed, monkeypatch):
    monkeypatch.setenv("STUDIO_HOME", str(deployed.home))
    at = open_page("chat")
    assert not at.exception, at.exception
    at.sidebar.slider(key="chat_temperature").set_value(0.0)
    at.sidebar.number_input(key="chat_max_tokens").set_value(8)
    return at.run()


def replies(at):
    return [m for m in at.chat_message if m.name == "assistant"]


def test_a_message_gets_a_streamed_reply_with_latency_and_masked_request(chat, deployed):
    chat.chat_input(key="chat_input").set_value("Hello there").run()
    assert not chat.exception, chat.exception
    users = [m for m in chat.chat_message if m.name == "user"]
    assert users[0].markdown[0].value == "Hello there"
    (reply,) = replies(chat)
    assert " s · first token " in reply.caption[0].value  # it streamed
    request, response = (json.loads(element.value) for element in reply.json)
    assert deployed.target.key not in json.dumps(request)
    assert request["headers"]["Authorization"].startswith("Bearer ••••")
    assert request["json"]["input_data"]["input_string"][-1]["content"] == "Hello there"
    assert response[-1]["done"] is True  # the raw SSE events
    history = chat.session_state["chat_history"]
    assert [t["role"] for t in history] == ["user", "assistant"]
    # the second turn carries the history
    chat.chat_input(key="chat_input").set_value("And then?").run()
    sent = chat.session_state["chat_history"][-1]["request"]["json"]["input_data"]
    assert [m["role"] for m in sent["input_string"]] == ["user", "assistant", "user"]
    assert sent["parameters"]["max_new_tokens"] == 8


def test_system_prompt_and_compare_mode_send_to_both(chat, deployed):
    chat.sidebar.text_area(key="chat_system_prompt").set_value("Be brief.")
    chat.sidebar.toggle(key="chat_compare").set_value(True).run()
    chat.chat_input(key="chat_input").set_value("Compare me").run()
    assert not chat.exception, chat.exception
    assert len(replies(chat)) == 2
    turns = chat.session_state["chat_history"]
    assert [t["role"] for t in turns] == ["user", "assistant", "assistant"]
    first = turns[1]["request"]["json"]["input_data"]["input_string"]
    assert first[0] == {"role": "system", "content": "Be brief."}


def test_try_a_test_prompt_sends_the_first_user_turn_of_a_test_gen_row(chat, deployed):
    folder = deployed.home / "datasets" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    row = {
        "prompt": "p",
        "prompt_id": "1",
        "messages": [
            {"role": "user", "content": "What is a held-out question?"},
            {"role": "assistant", "content": "This one."},
        ],
    }
    (folder / "test_gen.jsonl").write_text(json.dumps(row) + "\n")
    chat.button(key="chat_test_prompt").click().run()
    assert not chat.exception, chat.exception
    assert chat.session_state["chat_history"][0]["content"] == "What is a held-out question?"
    assert replies(chat)


def test_an_endpoint_error_is_shown_not_raised(chat, deployed, monkeypatch):
    # The page holds a key the endpoint no longer accepts (the server re-reads its key file on
    # every request, so the file itself must stay as it is).
    real = local_endpoints.scoring_target
    monkeypatch.setattr(
        local_endpoints, "scoring_target", lambda name: replace(real(name), key="rotated")
    )
    chat.chat_input(key="chat_input").set_value("Hi").run()
    assert not chat.exception
    assert "refused the key (401)" in chat.error[0].value
