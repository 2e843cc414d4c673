"""The scoring-contract client against a real HTTP server on 127.0.0.1 that answers as told."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from services.backends.base import ScoringTarget
from services.chat.client import ChatCall, build_request, mask_key
from services.errors import EndpointError

KEY = "secret-key-1234567890"
MESSAGES = [{"role": "user", "content": "Hi"}]
PARAMETERS = {"temperature": 0.6, "top_p": 0.9, "do_sample": True, "max_new_tokens": 20}


class Scripted(ThreadingHTTPServer):
    """Answers every POST with `status`, `body` and `content_type`; records what it got."""

    daemon_threads = True
    status = 200
    body = b"{}"
    content_type = "application/json"
    release: threading.Event | None = None  # when set, the handler waits on it (timeouts)
    received: list

    def answer(self, status: int, body, content_type: str = "application/json") -> None:
        self.status, self.content_type = status, content_type
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        server: Scripted = self.server
        length = int(self.headers.get("content-length", 0))
        server.received.append((dict(self.headers), json.loads(self.rfile.read(length))))
        if server.release is not None:
            server.release.wait(10)
        self.send_response(server.status)
        self.send_header("content-type", server.content_type)
        self.send_header("content-length", str(len(server.body)))
        self.end_headers()
        self.wfile.write(server.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    server = Scripted(("127.0.0.1", 0), Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    if server.release is not None:
        server.release.set()
    server.shutdown()
    server.server_close()


def target(server, *, streams=False, headers=None) -> ScoringTarget:
    port = server.server_address[1]
    return ScoringTarget(f"http://127.0.0.1:{port}/score", KEY, headers or {}, streams=streams)


@pytest.mark.parametrize(
    "body",
    [
        {"output": "Hello!"},
        "Hello!",
        [{"0": "Hello!"}],
        {"0": "Hello!"},
        [{"output": "Hello!"}],
        json.dumps({"output": "Hello!"}),  # JSON returned as a JSON string
    ],
)
def test_every_azure_response_shape_gives_the_reply_text(server, body):
    server.answer(200, body)
    reply = ChatCall(target(server), MESSAGES, PARAMETERS, session=requests.Session()).run()
    assert reply.text == "Hello!"
    assert reply.raw_response == body
    assert reply.latency_s > 0


def test_the_request_is_the_guide_contract_with_key_and_deployment_header(server):
    server.answer(200, {"output": "ok"})
    azure_like = target(server, headers={"azureml-model-deployment": "demo"})
    reply = ChatCall(azure_like, MESSAGES, PARAMETERS).run()
    headers, body = server.received[0]
    assert body == {"input_data": {"input_string": MESSAGES, "parameters": PARAMETERS}}
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert headers["azureml-model-deployment"] == "demo"
    # what is shown and exported never has the key
    assert KEY not in json.dumps(reply.request)
    assert reply.request["headers"]["Authorization"] == "Bearer " + mask_key(KEY)
    assert reply.request["json"] == body


def test_an_unknown_shape_is_an_error_that_says_what_came_back(server):
    server.answer(200, {"choices": []})
    with pytest.raises(EndpointError, match="choices"):
        ChatCall(target(server), MESSAGES, PARAMETERS).run()


@pytest.mark.parametrize(
    ("status", "what", "try_"),
    [
        (401, "refused the key (401)", "current key"),
        (403, "refused the key (403)", "current key"),
        (404, "(404)", "deleted"),
        (408, "timed out inside the endpoint (408)", "request_timeout_ms"),
        (424, "failed inside the deployment (424)", "deployment logs"),
        (429, "Too many requests", "Wait a few seconds"),
        (400, "rejected the request (400)", "Fix"),
        (503, "error (503)", "Retry"),
    ],
)
def test_http_errors_say_what_happened_and_what_to_try(server, status, what, try_):
    server.answer(status, {"error": "details from the service"})
    with pytest.raises(EndpointError) as raised:
        ChatCall(target(server), MESSAGES, PARAMETERS).run()
    assert what in raised.value.message
    assert "details from the service" in raised.value.message
    assert try_ in raised.value.hint


def test_a_timeout_says_so(server):
    server.release = threading.Event()  # the server holds the reply until the test ends
    server.answer(200, {"output": "late"})
    with pytest.raises(EndpointError, match="No reply from the endpoint within 0.3 s") as raised:
        ChatCall(target(server), MESSAGES, PARAMETERS, timeout_s=0.3).run()
    assert "fewer max_new_tokens" in raised.value.hint


def test_an_unreachable_endpoint_says_to_check_it_runs(server):
    gone = target(server)
    server.shutdown()
    server.server_close()
    with pytest.raises(EndpointError, match="Cannot reach") as raised:
        ChatCall(gone, MESSAGES, PARAMETERS, timeout_s=5).run()
    assert "running" in raised.value.hint


def sse(*events) -> bytes:
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events)


def test_a_streaming_target_yields_pieces_and_asks_for_a_stream(server):
    server.answer(
        200,
        sse({"delta": "Hel"}, {"delta": "lo"}, {"output": "Hello", "done": True}),
        "text/event-stream",
    )
    call = ChatCall(target(server, streams=True), MESSAGES, PARAMETERS)
    assert list(call) == ["Hel", "lo"]
    assert call.reply.text == "Hello" and call.reply.streamed
    assert call.reply.first_token_s is not None
    assert server.received[0][1]["input_data"]["parameters"]["stream"] is True


def test_a_stream_that_reports_an_error_raises(server):
    server.answer(
        200, sse({"delta": "x"}, {"error": "out of memory", "done": True}), "text/event-stream"
    )
    with pytest.raises(EndpointError, match="out of memory"):
        ChatCall(target(server, streams=True), MESSAGES, PARAMETERS).run()


def test_a_target_that_ignores_the_stream_request_is_read_whole(server):
    server.answer(200, {"output": "whole"})
    call = ChatCall(target(server, streams=True), MESSAGES, PARAMETERS)
    assert list(call) == ["whole"]
    assert not call.reply.streamed


def test_build_request_and_mask_key():
    assert build_request(MESSAGES, {"top_p": 1.0}) == {
        "input_data": {"input_string": MESSAGES, "parameters": {"top_p": 1.0}}
    }
    assert build_request(MESSAGES, {}, stream=True)["input_data"]["parameters"] == {"stream": True}
    assert mask_key(KEY) == "••••7890" and mask_key("short") == "••••"
