"""Reading MLflow runs: the one reader both backends use for metrics, params and status.

A client is all it needs, so the same functions read the local sqlite store
(`local_client()`) and an Azure ML workspace (`MlflowClient(tracking_uri=<workspace uri>)`).
Metric names are the Hugging Face Trainer's: loss, learning_rate, grad_norm, epoch, eval_loss,
train_loss, train_runtime, ...
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services import config
from services.status import JobStatus

if TYPE_CHECKING:  # mlflow takes seconds to import: loaded by the first call that needs it
    from mlflow.tracking import MlflowClient

logger = logging.getLogger(__name__)

MetricHistories = dict[str, list[tuple[int, float]]]

# Why a worker's run ended FAILED: the exception, as the pages and `evaluations list` show it.
ERROR_TAG = "studio.error"
TAG_LIMIT = 5000  # MLflow's longest tag value


def local_client() -> MlflowClient:
    """A client on the local store under STUDIO_HOME (sqlite + artifact folder).

    One per store and process: MLflow itself keeps one store object per URI, so the sqlite
    schema check (alembic) runs only on a process's first open of each store.
    """
    return _client(config.mlflow_tracking_uri())


@functools.cache
def _client(tracking_uri: str) -> MlflowClient:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri)


def local_client_opened() -> bool:
    """Whether this process has made a local client: mlflow is loaded, reading takes no time.

    Pages that would otherwise wait seconds for it draw a placeholder first.
    """
    return _client.cache_info().currsize > 0


def experiment_name(model_name: str) -> str:
    """The guide's experiment for fine-tunes of a model, on both backends: chat_completion_<name>.

    `model_name` is the model's name, not its id (an Azure asset id ends in its version).
    """
    return "chat_completion_" + re.sub(r"[^A-Za-z0-9_.-]+", "-", model_name)


def job_status(run_status: str) -> JobStatus:
    """Map an MLflow run status (e.g. "RUNNING") to a job status (e.g. "running")."""
    return JobStatus.from_service(run_status)


def ensure_experiment(
    client: MlflowClient, name: str, artifact_location: Path | str | None = None
) -> str:
    """The id of experiment `name`, created (with its artifact location) when missing."""
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    location = Path(artifact_location).as_uri() if artifact_location else None
    return client.create_experiment(name, artifact_location=location)


def metric_histories(
    client: MlflowClient, run_id: str, names: list[str] | tuple[str, ...] | None = None
) -> MetricHistories:
    """Every value each metric of `run_id` took, as sorted (step, value) pairs.

    `names` limits the metrics read (default: all the run has). When a metric was logged twice
    at one step (the Trainer logs `epoch` with each log call), the later value wins.
    """
    if names is None:
        names = sorted(client.get_run(run_id).data.metrics)
    histories: MetricHistories = {}
    for name in names:
        points = sorted(
            client.get_metric_history(run_id, name), key=lambda m: (m.step, m.timestamp)
        )
        by_step = {int(m.step): float(m.value) for m in points}
        if by_step:
            histories[name] = sorted(by_step.items())
    return histories


def run_params(client: MlflowClient, run_id: str) -> dict[str, str]:
    """The parameters logged on `run_id`, sorted by name."""
    return dict(sorted(client.get_run(run_id).data.params.items()))


@dataclass
class WorkerRun:
    """How a detached worker's run ends: its MLflow status, the exit code and, if it failed, why.

    `close_if_cancelled` is False while the worker has not started the run (waiting in the
    training queue): cancelled there, the canceller ends the run itself. `closed` says whether
    worker_run ended it (False on a rank that does not own the run, or cancelled in the queue).
    """

    run_id: str
    log_file: Path
    owner: bool = True
    close_if_cancelled: bool = True
    status: str = "FINISHED"
    code: int = 0
    reason: str = ""
    closed: bool = False


@contextlib.contextmanager
def worker_run(
    run_id: str,
    log_file: Path,
    cancelled: Callable[[], bool],
    say: Callable[[str], None],
    *,
    owner: bool = True,
) -> Iterator[WorkerRun]:
    """Run a worker's body (the with block), then end its MLflow run in the local store:
    FINISHED, KILLED when `cancelled()` (SIGTERM: exit code 143) or FAILED with the exception
    in the studio.error tag (exit code 1); the log file is logged under logs/ either way.

    Why one place: the training and evaluation workers must end their runs alike, or a failure
    shows as RUNNING forever on one of them. Whatever the body raises is caught here: a failure
    must end the run, and the exit code (WorkerRun.code) tells the parent. Cancel is known from
    the flag, not the exception type, because library code may wrap the exception the SIGTERM
    handler raises. SIGTERM is ignored while the run closes, so a second cancel cannot leave it
    half-ended. `owner` False (a torchrun rank other than the first) leaves the run alone.
    """
    run = WorkerRun(run_id, log_file, owner=owner)
    try:
        yield run
    except BaseException as error:  # noqa: BLE001 - any failure must end the run as FAILED
        if cancelled():
            run.status, run.code = "KILLED", 143
            say("cancelled")
        else:
            traceback.print_exc()
            run.status, run.code = "FAILED", 1
            run.reason = f"{type(error).__name__}: {error}"
            say(f"failed: {run.reason}")
    finally:
        if run.owner and (run.close_if_cancelled or run.status != "KILLED"):
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            sys.stdout.flush()
            client = local_client()
            if run.reason:
                client.set_tag(run_id, ERROR_TAG, run.reason[:TAG_LIMIT])
            client.log_artifact(run_id, str(log_file), artifact_path="logs")
            client.set_terminated(run_id, status=run.status)
            run.closed = True
