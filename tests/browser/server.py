"""`streamlit run app.py` in a subprocess, as a person starts it, and what it leaves running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def studio_env(home: Path) -> dict[str, str]:
    """The environment of the app and of CLI calls against its STUDIO_HOME."""
    return {
        **os.environ,
        "STUDIO_HOME": str(home),
        "STUDIO_BACKEND": "local",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }


class AppServer:
    """The app on 127.0.0.1:<port>; stop() and start() again to restart it on the same port."""

    def __init__(
        self, root: Path, home: Path, port: int, log_path: Path, env: dict | None = None
    ) -> None:
        self.root = root
        self.env = env or {}
        self.home = home
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address=127.0.0.1",
            f"--server.port={self.port}",
            "--server.headless=true",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env={**studio_env(self.home), **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.process.returncode}):\n{self.log()}")
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=2).text == "ok":
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)  # polling a condition: the health endpoint answering
        raise RuntimeError(f"streamlit did not answer within {START_TIMEOUT_S} s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL): what closing the terminal does."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def stop_leftovers(home: Path) -> None:
    """Cancel jobs and delete endpoints still running in `home` (they outlive the app)."""
    previous = os.environ.get("STUDIO_HOME")
    os.environ["STUDIO_HOME"] = str(home)
    try:
        from services.serving import local_endpoints
        from services.training import jobs

        for endpoint in local_endpoints.list_endpoints():
            local_endpoints.delete_endpoint(endpoint.name)
        has_jobs = any((home / "jobs").glob("*/job.json"))
        for job in jobs.list_jobs() if has_jobs else []:
            if not job.is_terminal:
                jobs.cancel_job(job.id)
    finally:
        if previous is None:
            os.environ.pop("STUDIO_HOME", None)
        else:
            os.environ["STUDIO_HOME"] = previous
