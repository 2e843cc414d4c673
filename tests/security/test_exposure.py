"""No accidental exposure: loopback unless sign-in or a trusted network; only our own host names."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from services.security.exposure import exposure_refusal, is_loopback, trusted_network
from tests.browser.server import AppServer, free_port, studio_env

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 120.0


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"])
def test_loopback_addresses_need_nothing(address):
    assert is_loopback(address)
    assert exposure_refusal(address, has_auth=False, trusted=False) is None


@pytest.mark.parametrize("address", ["0.0.0.0", "", None, "::", "192.168.1.20", "studio.lan"])
def test_other_addresses_are_refused_without_sign_in(address):
    assert not is_loopback(address)
    refusal = exposure_refusal(address, has_auth=False, trusted=False)
    assert "refuses to serve" in refusal
    assert "[auth]" in refusal and "secrets.toml" in refusal  # how to add sign-in
    assert "STUDIO_TRUSTED_NETWORK=1" in refusal  # how to declare the network trusted
    assert exposure_refusal(address, has_auth=True, trusted=False) is None
    assert exposure_refusal(address, has_auth=False, trusted=True) is None


def test_the_trusted_network_setting_is_explicit(monkeypatch):
    monkeypatch.delenv("STUDIO_TRUSTED_NETWORK", raising=False)
    assert not trusted_network()
    for value, trusted in (("0", False), ("", False), ("1", True), ("yes", True)):
        monkeypatch.setenv("STUDIO_TRUSTED_NETWORK", value)
        assert trusted_network() is trusted


def wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "streamlit exited before serving"
        try:
            if requests.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)  # polling a condition: the health endpoint answering
    raise AssertionError("streamlit did not answer in time")


def rerun_request() -> bytes:
    """The message a browser sends to ask for a script run."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.rerun_script.query_string = ""
    return message.SerializeToString()


def visit(port: int, host: str = "127.0.0.1") -> None:
    """Open the app's WebSocket as a browser on `host` does, and ask for a script run."""
    with stream(port, host) as websocket:
        websocket.send(rerun_request())
        websocket.recv(timeout=DEADLINE_S)  # the server answers: the session runs app.py


def stay_until_exit(port: int, process: subprocess.Popen) -> None:
    """Visit and stay connected, as a browser tab does, until the server process ends.

    A visitor who leaves at the server's first answer can stop the script run before app.py's
    first line (Streamlit stops a closed session's run), so the refusal would wait for the next
    visit: the test stays, as a person looking at the page does.
    """
    deadline = time.monotonic() + DEADLINE_S
    with contextlib.suppress(ConnectionClosed), stream(port, "127.0.0.1") as websocket:
        websocket.send(rerun_request())
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                websocket.recv(timeout=1)  # drain what the page sends; the server closes it


def stream(port: int, host: str):
    """A WebSocket to 127.0.0.1:port whose Host and Origin name `host`: DNS rebinding's shape."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S)
    return connect(
        f"ws://{host}:{port}/_stcore/stream",
        sock=sock,
        origin=f"http://{host}:{port}",
        subprotocols=["streamlit"],
        open_timeout=DEADLINE_S,
    )


def test_streamlit_run_on_every_interface_without_sign_in_stops_with_the_message(tmp_path):
    port = free_port()
    env = {**studio_env(tmp_path / "home")}
    env.pop("STUDIO_TRUSTED_NETWORK", None)
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    process = subprocess.Popen(
        [*command, "--server.address", "0.0.0.0", f"--server.port={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        # Streamlit runs app.py when a browser connects, not at start: the first visit refuses.
        stay_until_exit(port, process)
        output, _ = process.communicate(timeout=DEADLINE_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert "refuses to serve on address '0.0.0.0' without sign-in" in output, output[-3000:]
    assert "STUDIO_TRUSTED_NETWORK=1" in output


def test_a_declared_trusted_network_serves_on_every_interface_to_the_listed_names(tmp_path):
    port = free_port()
    hosts = ["--server.allowedHosts", "127.0.0.1", "--server.allowedHosts", "studio.test"]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "0.0.0.0",
            f"--server.port={port}",
            *hosts,
        ],
        cwd=ROOT,
        env={**studio_env(tmp_path / "home"), "STUDIO_TRUSTED_NETWORK": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        visit(port, "studio.test")  # a name the operator listed: served
        with pytest.raises(InvalidStatus):
            stream(port, "localhost")  # the command line's list replaced the config's
        assert process.poll() is None
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=DEADLINE_S)
    assert "refuses to serve" not in output


@pytest.fixture
def server(tmp_path):
    app = AppServer(ROOT, tmp_path / "home", free_port(), tmp_path / "app.log")
    app.start()
    yield app
    app.stop()


def test_a_foreign_host_and_origin_are_refused_our_own_accepted(server):
    with stream(server.port, "127.0.0.1"):
        pass  # the app's own address: accepted
    with stream(server.port, "localhost"):
        pass
    with pytest.raises(InvalidStatus) as refused:
        stream(server.port, "evil.example")  # a rebound name: Host and Origin both foreign
    assert refused.value.response.status_code == 403
    # Another site's page talking to our own host name is refused by the Origin check.
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE_S)
    with pytest.raises(InvalidStatus):
        connect(
            f"ws://127.0.0.1:{server.port}/_stcore/stream",
            sock=sock,
            origin="http://evil.example",
            subprotocols=["streamlit"],
        )
    assert server.process.poll() is None  # refusing is not crashing


def test_the_app_on_loopback_keeps_serving_a_visit(server):
    visit(server.port)
    assert server.process.poll() is None
    assert "refuses to serve" not in server.log()


def test_the_project_config_pins_the_host_allow_list():
    import tomllib

    options = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert options["address"] == "localhost"
    assert set(options["allowedHosts"]) == {"localhost", "127.0.0.1", "::1"}
