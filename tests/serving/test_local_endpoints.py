"""Register + deploy + score against a real local server process (tiny random model)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from services import tracking
from services.chat.client import ChatCall
from services.errors import EndpointError, ModelError
from services.serving import local_endpoints, local_registry
from tests.serving.endpoint_fixture import deployed_tiny_model
from tests.serving.tiny_model import JOB_ID, ROOT

MESSAGES = [{"role": "user", "content": "Tell me about llamas."}]
GREEDY = {"do_sample": False, "max_new_tokens": 12}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with deployed_tiny_model(tmp_path_factory.mktemp("serving")) as deployed:
        yield deployed


@pytest.fixture
def home(deployed, monkeypatch):
    monkeypatch.setenv("STUDIO_HOME", str(deployed.home))
    return deployed.home


def score(target, body, key="use-target", **kwargs):
    headers = (
        {}
        if key is None
        else {"Authorization": f"Bearer {target.key if key == 'use-target' else key}"}
    )
    return requests.post(target.scoring_uri, json=body, headers=headers, timeout=60, **kwargs)


def contract(messages=MESSAGES, **parameters):
    return {"input_data": {"input_string": messages, "parameters": {**GREEDY, **parameters}}}


# Register


def test_each_registration_is_a_new_version_linked_to_the_job_run(deployed, home):
    first, second = deployed.versions
    assert (first.name, first.version, second.version) == ("tiny-llama-ultrachat-200k", "1", "2")
    assert first.run_id == second.run_id == deployed.job["run_id"]
    assert first.source_job == JOB_ID
    listed = local_registry.list_registered_models()
    assert [(m.name, m.version) for m in listed] == [(first.name, "2"), (first.name, "1")]
    # registering did not touch the finished job's run status
    assert tracking.local_client().get_run(deployed.job["run_id"]).info.status == "FINISHED"


def test_registered_version_holds_the_adapter_not_the_base_model(deployed, home):
    artifacts = home / "mlflow" / "artifacts"
    files = {path.name for path in artifacts.rglob("*") if path.is_file()}
    assert "adapter_model.safetensors" in files
    assert "model.safetensors" not in files
    assert "chat_model.py" in files


def test_a_user_given_name_and_errors_for_jobs_that_cannot_be_registered(home):
    named = local_registry.register_model(JOB_ID, "demo-model")
    assert (named.name, named.version) == ("demo-model", "1")
    with pytest.raises(ModelError, match="not a valid model name"):
        local_registry.register_model(JOB_ID, "bad name!")
    with pytest.raises(ModelError, match="No local job"):
        local_registry.register_model("job-missing")
    with pytest.raises(ModelError, match="no version 9"):
        local_registry.get_version("demo-model", "9")


# Deploy and score


def test_listed_with_model_version_port_and_running_status(deployed, home):
    (info,) = [e for e in local_endpoints.list_endpoints() if e.name == deployed.endpoint.name]
    assert (info.model_name, info.model_version, info.status) == (
        "tiny-llama-ultrachat-200k",
        "2",
        "running",
    )
    assert info.scoring_uri == f"http://127.0.0.1:{info.port}/score"
    health = requests.get(f"http://127.0.0.1:{info.port}/health", timeout=5).json()
    assert health["status"] == "ready" and health["version"] == "2"


def test_score_answers_the_azure_contract(deployed):
    response = score(deployed.target, contract())
    assert response.status_code == 200
    assert isinstance(response.json()["output"], str)


def test_greedy_replies_are_reproducible(deployed):
    first = score(deployed.target, contract()).json()["output"]
    assert score(deployed.target, contract()).json()["output"] == first


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_missing_or_wrong_key_is_401_before_the_body_is_read(deployed, key):
    response = score(deployed.target, contract(), key=key)
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]
    # a malformed body without a key is still 401: authentication comes first
    unauthorized = requests.post(
        deployed.target.scoring_uri, data="not json", headers={"Authorization": "Bearer x"}
    )
    assert unauthorized.status_code == 401


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ("not json", "not valid JSON"),
        ({"input_string": MESSAGES}, "input_data"),
        ({"input_data": {"input_string": []}}, "input_string"),
        (contract(max_new_tokens=0), "max_new_tokens"),
        (contract(temperature="hot"), "temperature"),
    ],
)
def test_malformed_bodies_get_a_clear_400(deployed, body, mentions):
    headers = {"Authorization": f"Bearer {deployed.target.key}"}
    if isinstance(body, str):
        response = requests.post(deployed.target.scoring_uri, data=body, headers=headers)
    else:
        response = requests.post(deployed.target.scoring_uri, json=body, headers=headers)
    assert response.status_code == 400
    assert mentions in response.json()["error"]


def test_concurrent_requests_are_all_answered(deployed):
    prompts = [f"Question number {n}?" for n in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(
                lambda text: score(deployed.target, contract([{"role": "user", "content": text}])),
                prompts,
            )
        )
    assert [r.status_code for r in responses] == [200] * 4
    assert all(isinstance(r.json()["output"], str) for r in responses)


def test_streaming_sends_pieces_then_the_whole_reply(deployed):
    response = score(deployed.target, contract(stream=True), stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [
        json.loads(line[len("data: ") :])
        for line in response.iter_lines(decode_unicode=True)
        if line.startswith("data: ")
    ]
    deltas = [e["delta"] for e in events if "delta" in e]
    assert deltas, events
    assert events[-1]["done"] is True
    assert "".join(deltas).strip() == events[-1]["output"]
    # the same text as without streaming (greedy)
    assert events[-1]["output"] == score(deployed.target, contract()).json()["output"]


def test_accept_event_stream_header_also_streams(deployed):
    response = requests.post(
        deployed.target.scoring_uri,
        json=contract(),
        headers={"Authorization": f"Bearer {deployed.target.key}", "Accept": "text/event-stream"},
        stream=True,
        timeout=60,
    )
    assert response.headers["content-type"].startswith("text/event-stream")


def test_chat_client_streams_from_a_local_endpoint(deployed):
    call = ChatCall(deployed.target, MESSAGES, GREEDY)
    pieces = list(call)
    assert call.reply.streamed and call.reply.first_token_s is not None
    assert "".join(pieces).strip() == call.reply.text
    assert "••••" in call.reply.request["headers"]["Authorization"]
    assert deployed.target.key not in json.dumps(call.reply.request)


# Secrets


def test_key_is_owner_only_and_never_written_elsewhere(deployed, home):
    folder = home / "endpoints" / deployed.endpoint.name
    assert stat.S_IMODE(os.stat(folder / "key").st_mode) == 0o600
    for other in folder.iterdir():
        if other.name != "key":
            assert deployed.target.key not in other.read_text(errors="replace"), other.name


# CLI and lifecycle


def cli(home, *args):
    result = subprocess.run(
        [sys.executable, "-m", "services", *args, "--json"],
        cwd=ROOT,
        env={**os.environ, "STUDIO_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, json.loads(result.stdout.strip().splitlines()[-1])


def test_cli_lists_and_chats_from_another_process(deployed, home):
    code, listed = cli(home, "endpoints", "list")
    assert code == 0
    assert [(e["name"], e["status"]) for e in listed] == [(deployed.endpoint.name, "running")]
    code, reply = cli(
        home, "chat", deployed.endpoint.name, "Hello", "--max-new-tokens", "5", "--greedy"
    )
    assert code == 0 and isinstance(reply["output"], str)
    assert deployed.target.key not in json.dumps(reply)


def test_base_model_endpoint_differs_from_the_adapter_and_delete_frees_the_port(deployed, home):
    base_folder = deployed.job["model_id"]
    code, endpoint = cli(home, "deploy", base_folder, "--base")
    assert code == 0, endpoint
    assert endpoint["model_version"] == "base" and endpoint["key"]
    try:
        base_target = local_endpoints.scoring_target(endpoint["name"])
        base_reply = score(base_target, contract()).json()["output"]
        tuned_reply = score(deployed.target, contract()).json()["output"]
        assert base_reply != tuned_reply  # the LoRA weights were loaded, not lost
    finally:
        code, deleted = cli(home, "endpoints", "delete", endpoint["name"])
    assert code == 0 and deleted == {"deleted": endpoint["name"]}
    port = int(endpoint["scoring_uri"].split(":")[2].split("/")[0])
    with socket.socket() as sock:  # as any server would bind it (TIME_WAIT is fine)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()
    assert endpoint["name"] not in [e.name for e in local_endpoints.list_endpoints()]


def test_an_endpoint_whose_process_died_shows_stopped(home, monkeypatch):
    folder = home / "endpoints" / "ghost"
    folder.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (folder / "endpoint.json").write_text(
        json.dumps({"model_name": "m", "model_version": "1", "pid": dead.pid, "created_at": 1})
    )
    (folder / "server.json").write_text(json.dumps({"port": 1, "status": "ready"}))
    try:
        ghost = local_endpoints.get_endpoint("ghost")
        assert (ghost.status, ghost.started_at) == ("stopped", None)  # not up: no uptime
        code, listed = cli(home, "endpoints", "list")
        assert code == 0 and [e["started_at"] for e in listed if e["name"] == "ghost"] == [None]
        with pytest.raises(EndpointError, match="stopped"):
            local_endpoints.scoring_target("ghost")
    finally:
        local_endpoints.delete_endpoint("ghost")
    assert not folder.exists()


def test_a_model_that_cannot_load_fails_the_deploy_with_its_error(studio_home, tmp_path):
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with pytest.raises(EndpointError, match="stopped while starting") as error:
        local_endpoints.deploy(str(empty), base_model=True, timeout_s=120)
    assert "server.log" in error.value.hint
    with pytest.raises(EndpointError, match="No local endpoint"):
        local_endpoints.scoring_target("nope")
