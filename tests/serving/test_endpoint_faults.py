"""Faults and bad input against real endpoint processes (issue 15's endpoint cases, issue 11's
batching): abandoned requests, oversized and malformed bodies, timeouts, secrets in logs,
concurrent requests with their own lengths.

The endpoints serve the tiny random model with a 4096-token context: greedy, it never emits its
end token on these prompts, so a request runs exactly max_new_tokens (usage says so) and a
4000-token request runs long enough to be abandoned mid-way. Limits are small, set through the
server's STUDIO_SERVE_* variables. Every wait polls a state the server exposes (/health).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from services.serving import local_endpoints
from tests.serving.endpoint_fixture import studio_home_at
from tests.serving.tiny_model import build_finished_job

CONTEXT = 4096
LIMITS = {
    "STUDIO_SERVE_MAX_BODY_BYTES": "20000",
    "STUDIO_SERVE_MAX_MESSAGES": "8",
    "STUDIO_SERVE_MAX_PROMPT_TOKENS": "300",
    "STUDIO_SERVE_MAX_NEW_TOKENS": "4000",
    "STUDIO_SERVE_CACHE_TOKENS": str(4 * CONTEXT),
    "STUDIO_SERVE_TIMEOUT_S": "600",
}
LONG = 4000  # tokens: many seconds of generation, ended only by a cancel
USER = [{"role": "user", "content": "Tell me about llamas."}]


def contract(messages=USER, **parameters):
    parameters = {"do_sample": False, "max_new_tokens": 8, **parameters}
    return {"input_data": {"input_string": messages, "parameters": parameters}}


class Endpoint:
    def __init__(self, home: Path, name: str) -> None:
        with studio_home_at(home):
            self.target = local_endpoints.scoring_target(name)
        self.folder = home / "endpoints" / name
        self.base = self.target.scoring_uri.rsplit("/", 1)[0]
        self.headers = {"Authorization": f"Bearer {self.target.key}"}

    def score(self, body, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 120)
        if isinstance(body, dict):
            return requests.post(self.target.scoring_uri, json=body, headers=self.headers, **kwargs)
        return requests.post(self.target.scoring_uri, data=body, headers=self.headers, **kwargs)

    def health(self) -> dict:
        return requests.get(f"{self.base}/health", timeout=10).json()

    def wait_for(self, condition, what: str, timeout_s: float = 60) -> dict:
        """Poll /health until `condition(health)` holds."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            health = self.health()
            if condition(health):
                return health
            time.sleep(0.05)  # polling a condition, not waiting for time to pass
        raise AssertionError(f"{what}: not within {timeout_s} s; last /health: {health}")


def _long_context_model(home: Path, base_folder: str) -> Path:
    """A copy of the tiny base model whose context is CONTEXT tokens (rotary: any length)."""
    folder = home / "models" / "tiny-long"
    shutil.copytree(base_folder, folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "max_position_embeddings": CONTEXT}))
    return folder


def _deploy(home: Path, folder: Path, name: str, **extra_env) -> Endpoint:
    with studio_home_at(home), pytest.MonkeyPatch.context() as patch:
        for variable, value in {**LIMITS, **extra_env}.items():
            patch.setenv(variable, value)
        info = local_endpoints.deploy(str(folder), base_model=True, name=name, timeout_s=300)
    return Endpoint(home, info.name)


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory):
    home = tmp_path_factory.mktemp("faults")
    with studio_home_at(home):
        folder = _long_context_model(home, build_finished_job(home)["model_id"])
    try:
        limited = _deploy(home, folder, "limited")
        hurried = _deploy(home, folder, "hurried", STUDIO_SERVE_TIMEOUT_S="2")
        yield {"limited": limited, "hurried": hurried}
    finally:
        with studio_home_at(home):
            for info in local_endpoints.list_endpoints():
                local_endpoints.delete_endpoint(info.name)


@pytest.fixture
def endpoint(endpoints):
    endpoint = endpoints["limited"]
    endpoint.wait_for(lambda h: h["generations"] == 0, "idle before the test")
    return endpoint


# An abandoned request frees the model


def test_a_client_that_leaves_a_stream_stops_its_generation(endpoint):
    before = endpoint.health()["stopped"]["client_gone"]
    with requests.Session() as session:
        response = session.post(
            endpoint.target.scoring_uri,
            json=contract(max_new_tokens=LONG, stream=True),
            headers=endpoint.headers,
            stream=True,
            timeout=60,
        )
        lines = response.iter_lines(decode_unicode=True)
        assert next(line for line in lines if line.startswith("data: "))  # it is generating
        assert endpoint.health()["generations"] == 1
        response.close()  # the client goes away mid-reply
    health = endpoint.wait_for(lambda h: h["generations"] == 0, "generation stopped")
    assert health["stopped"]["client_gone"] == before + 1  # stopped, not finished
    _a_second_request_gets_its_whole_reply(endpoint)


def test_a_client_that_leaves_before_the_whole_reply_stops_its_generation(endpoint):
    before = endpoint.health()["stopped"]["client_gone"]
    body = json.dumps(contract(max_new_tokens=LONG)).encode()
    port = int(endpoint.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(
            b"POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {endpoint.target.key}\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        endpoint.wait_for(lambda h: h["generations"] == 1, "generation started")
    health = endpoint.wait_for(lambda h: h["generations"] == 0, "generation stopped")
    assert health["stopped"]["client_gone"] == before + 1
    _a_second_request_gets_its_whole_reply(endpoint)


def _a_second_request_gets_its_whole_reply(endpoint) -> None:
    response = endpoint.score(contract(max_new_tokens=16))
    assert response.status_code == 200
    assert response.json()["usage"]["completion_tokens"] == 16


def test_a_slow_client_does_not_stall_the_others(endpoint):
    with requests.Session() as session:
        slow = session.post(  # streams a long reply that nobody reads
            endpoint.target.scoring_uri,
            json=contract(max_new_tokens=LONG, stream=True),
            headers=endpoint.headers,
            stream=True,
            timeout=60,
        )
        endpoint.wait_for(lambda h: h["generations"] == 1, "slow generation started")
        quick = endpoint.score(contract(max_new_tokens=16))
        assert quick.status_code == 200
        assert quick.json()["usage"]["completion_tokens"] == 16
        assert endpoint.health()["generations"] == 1  # answered while the slow one still runs
        slow.close()
    endpoint.wait_for(lambda h: h["generations"] == 0, "slow generation stopped")


# Bounded requests


def test_an_oversized_body_is_413_naming_the_limit(endpoint):
    huge = contract([{"role": "user", "content": "x" * 30_000}])
    response = endpoint.score(huge)
    assert response.status_code == 413
    assert "max_body_bytes = 20000" in response.json()["error"]
    # without a Content-Length (chunked), the server stops reading at the limit too
    chunks = (json.dumps(huge).encode()[i : i + 4096] for i in range(0, 40_000, 4096))
    response = endpoint.score(chunks)
    assert response.status_code == 413
    assert "STUDIO_SERVE_MAX_BODY_BYTES" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (contract([{"role": "user", "content": "hi"}] * 9), "max_messages = 8"),
        (contract([{"role": "user", "content": "llama " * 400}]), "max_prompt_tokens = 300"),
        (contract(max_new_tokens=4001), "max_new_tokens = 4000"),
        (contract([{"role": "user", "content": "llama " * 40}], max_new_tokens=4000), "4096"),
    ],
    ids=["messages", "prompt-tokens", "max-new-tokens", "context-length"],
)
def test_a_request_over_a_limit_is_400_naming_it(endpoint, body, names):
    response = endpoint.score(body)
    assert response.status_code == 400
    assert names in response.json()["error"]
    assert endpoint.health()["generations"] == 0  # refused before any work


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000 + "]" * 5000,
        '{"input_data": ' * 1200 + "{}" + "}" * 1200,
        b"\xff\xfe{not utf-8",
        "",
        "null",
        "[]",
        '"input_data"',
        '{"input_data": []}',
        '{"input_data": {"input_string": "Hi"}}',
        '{"input_data": {"input_string": [["user", "Hi"]]}}',
        '{"input_data": {"input_string": [{"role": "user", "content": 3}]}}',
        '{"input_data": {"input_string": [{"role": "user", "content": "Hi"}], "parameters": 5}}',
        json.dumps(contract(temperature=float("nan"))),
        json.dumps(contract(top_p=float("inf"))),
        '{"input_data": {"input_string": [{"role": "user", "content": "Hi"}],'
        ' "parameters": {"max_new_tokens": 1e400}}}',
        json.dumps(contract(max_new_tokens=10**30)),
        json.dumps(contract(stream="yes")),
    ],
)
def test_a_malformed_body_is_400_never_500(endpoint, body):
    response = endpoint.score(body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]


# Time


def test_a_request_over_the_timeout_is_stopped_and_frees_the_model(endpoints):
    hurried = endpoints["hurried"]
    response = hurried.score(contract(max_new_tokens=LONG))
    assert response.status_code == 504
    assert "timeout_s = 2" in response.json()["error"]
    health = hurried.wait_for(lambda h: h["generations"] == 0, "timed-out generation stopped")
    assert health["stopped"]["timeout"] == 1
    streamed = hurried.score(contract(max_new_tokens=LONG, stream=True), stream=True)
    last = [line for line in streamed.iter_lines(decode_unicode=True) if line][-1]
    assert "STUDIO_SERVE_TIMEOUT_S" in json.loads(last[len("data: ") :])["error"]
    health = hurried.wait_for(lambda h: h["generations"] == 0, "timed-out stream stopped")
    assert health["stopped"]["timeout"] == 2


# Secrets


def test_a_key_in_the_query_string_never_reaches_the_log(endpoints):
    hurried = endpoints["hurried"]
    log = hurried.folder / "server.log"
    answered = log.read_text().count('"POST /score')
    uri = f"{hurried.target.scoring_uri}?key={hurried.target.key}&code=secret-in-query"
    response = requests.post(uri, json=contract(), headers=hurried.headers, timeout=60)
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    while log.read_text().count('"POST /score') == answered:  # the access line is written
        assert time.monotonic() < deadline, "no access line for the request in server.log"
        time.sleep(0.05)
    text = log.read_text()
    assert hurried.target.key not in text and "secret-in-query" not in text
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600  # and only its owner reads it
    assert stat.S_IMODE(os.stat(hurried.folder).st_mode) == 0o700


# Batching


def test_concurrent_requests_each_get_their_own_length(endpoint):
    lengths = [5, 40, 17, 64]

    def ask(index: int):
        length = lengths[index]
        if index % 2:  # half of them stream
            response = endpoint.score(contract(max_new_tokens=length, stream=True), stream=True)
            events = [
                json.loads(line[len("data: ") :])
                for line in response.iter_lines(decode_unicode=True)
                if line.startswith("data: ")
            ]
            deltas = "".join(e.get("delta", "") for e in events)
            assert deltas.strip() == events[-1]["output"]
            return events[-1]["usage"]["completion_tokens"], events[-1]["output"]
        body = endpoint.score(contract(max_new_tokens=length)).json()
        return body["usage"]["completion_tokens"], body["output"]

    with ThreadPoolExecutor(len(lengths)) as pool:
        replies = list(pool.map(ask, range(len(lengths))))
    assert [tokens for tokens, _ in replies] == lengths
    # one greedy reply is a prefix of a longer one: no request got another's tokens
    by_length = sorted(zip(lengths, (text for _, text in replies), strict=True))
    for (_, shorter), (_, longer) in zip(by_length, by_length[1:], strict=False):
        assert longer.startswith(shorter.rstrip("\ufffd").strip())
