"""How a worker's MLflow run ends (services.tracking.worker_run, shared by the training and
evaluation workers), on a real local MLflow store."""

from __future__ import annotations

import signal

import pytest

from services import tracking


@pytest.fixture
def run_id(tmp_path) -> str:
    client = tracking.local_client()
    experiment = tracking.ensure_experiment(client, "worker-run", tmp_path / "artifacts")
    return client.create_run(experiment).info.run_id


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "worker.log"
    path.write_text("a line of the worker's log\n")
    return path


@pytest.fixture(autouse=True)
def sigterm_handler_restored():
    """worker_run ignores SIGTERM while it closes the run: give pytest its handler back."""
    saved = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, saved)


def _ended(run_id: str):
    client = tracking.local_client()
    run = client.get_run(run_id)
    logs = [f.path for f in client.list_artifacts(run_id, "logs")]
    return run.info.status, run.data.tags.get(tracking.ERROR_TAG), logs


def test_a_body_that_returns_ends_the_run_finished_with_its_log(run_id, log_file):
    lines: list[str] = []
    with tracking.worker_run(run_id, log_file, lambda: False, lines.append) as run:
        pass

    assert (run.status, run.code, run.closed) == ("FINISHED", 0, True)
    assert _ended(run_id) == ("FINISHED", None, ["logs/worker.log"])
    assert lines == []


def test_a_failure_ends_the_run_failed_with_the_reason(run_id, log_file):
    lines: list[str] = []
    with tracking.worker_run(run_id, log_file, lambda: False, lines.append) as run:
        raise OSError("disk full")

    assert (run.status, run.code) == ("FAILED", 1)
    assert _ended(run_id) == ("FAILED", "OSError: disk full", ["logs/worker.log"])
    assert lines == ["failed: OSError: disk full"]


def test_a_cancel_ends_the_run_killed_whatever_the_exception_became(run_id, log_file):
    # library code may wrap the exception the SIGTERM handler raised: the flag decides
    with tracking.worker_run(run_id, log_file, lambda: True, lambda line: None) as run:
        raise RuntimeError("wrapped Cancelled")

    assert (run.status, run.code) == ("KILLED", 143)
    assert _ended(run_id) == ("KILLED", None, ["logs/worker.log"])


def test_cancelled_in_the_queue_or_on_another_rank_the_run_is_left_alone(run_id, log_file):
    with tracking.worker_run(run_id, log_file, lambda: True, lambda line: None) as queued:
        queued.close_if_cancelled = False
        raise KeyboardInterrupt  # any BaseException: SIGTERM's Cancelled in the worker
    with tracking.worker_run(run_id, log_file, lambda: False, print, owner=False) as rank:
        raise ValueError("rank 1 failed")

    assert (queued.code, queued.closed) == (143, False)
    assert (rank.code, rank.closed) == (1, False)
    assert _ended(run_id) == ("RUNNING", None, [])
