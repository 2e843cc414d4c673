"""Azure evaluations as MLflow runs in the workspace's tracking store, beside the training run.

The store is the connection's own (services.backends.azure.metrics.mlflow_store, the one the
Metrics page reads through), never a local one. Each run sits in the training job's experiment
and carries the tags the local worker's runs carry (studio.kind, studio.job_id,
studio.training_run_id, studio.comparator, studio.rows, ...) and the metrics and per-example
table both backends take from services.evaluation.run_contents, so an evaluation reads the same
in the MLflow UI whichever backend ran it. The scorecard is kept in a tag (studio.scorecard,
JSON) so the Evaluate page can show it again after a refresh; a failure (saving the table too)
ends the run FAILED with the reason in studio.error.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from services import tracking
from services.backends.base import Backend
from services.evaluation import run_contents
from services.evaluation.errors import EvaluationError
from services.evaluation.evaluations import EvaluationInfo

KIND = "evaluation"
SCORECARD_TAG = "studio.scorecard"
TAG_LIMIT = tracking.TAG_LIMIT


def tracking_store(backend: Backend) -> Any:
    """Where the backend records evaluations through endpoints (Backend.evaluation_store)."""
    return backend.evaluation_store()


def _now_ms() -> int:
    return int(time.time() * 1000)


def _experiment_of(store, job_id: str) -> str:
    try:
        return store.get_run(job_id).info.experiment_id
    except Exception as error:  # noqa: BLE001 - MlflowException, HTTP errors
        raise EvaluationError(
            f"Job {job_id} has no MLflow run in the workspace to file evaluations under: "
            f"{str(error)[:300]}",
            "Wait until the job shows metrics (Metrics page), then evaluate it.",
        ) from error


def open_run(store, job_id: str, tags: dict[str, str], params: dict[str, Any]) -> str:
    """A RUNNING evaluation run in the training run's experiment (the root pipeline run, whose
    MLflow run id is the job name); returns its id."""
    from mlflow.entities import Param, RunTag

    experiment_id = _experiment_of(store, job_id)
    all_tags = {
        "studio.kind": KIND,
        "studio.job_id": job_id,
        "studio.training_run_id": job_id,
        **tags,
    }
    run = store.create_run(
        experiment_id=experiment_id,
        user_id="",
        start_time=_now_ms(),
        tags=[RunTag(key, value[:TAG_LIMIT]) for key, value in all_tags.items()],
        run_name=f"evaluate {job_id}",
    )
    run_id = run.info.run_id
    store.log_batch(
        run_id, metrics=[], params=[Param(k, str(v)) for k, v in params.items()], tags=[]
    )
    return run_id


def finish_run(store, run_id: str, scorecard: dict, examples: list[dict]) -> None:
    """Log the scorecard's metrics, verdict and JSON and the per-example table, then end the
    run FINISHED."""
    from mlflow.entities import Metric, RunTag

    now = _now_ms()
    figures = run_contents.scorecard_metrics(scorecard)
    tags = [
        RunTag("studio.verdict", scorecard["verdict"][:TAG_LIMIT]),
        RunTag(SCORECARD_TAG, json.dumps(scorecard)[:TAG_LIMIT]),
    ]
    metrics = [Metric(k, v, now, 0) for k, v in figures.items()]
    store.log_batch(run_id, metrics=metrics, params=[], tags=tags)
    log_table(store, run_id, examples)
    store.update_run_info(run_id, "FINISHED", _now_ms(), None)


def log_table(store, run_id: str, examples: list[dict]) -> None:
    """The per-example table as the run's artifact: the file and tag mlflow.log_table writes
    (run_contents), so the MLflow UI shows it as it shows a local evaluation's.

    Uploaded with azureml-mlflow's run-artifact client on this store's own connection:
    MlflowClient would pick the artifact client's workspace and credential from the process's
    global tracking URI, not from this connection.
    """
    from azureml.mlflow._client.artifact.run_artifact_client import RunArtifactsClient
    from azureml.mlflow._store.artifact.utils import artifact_uri_decomp
    from mlflow.entities import RunTag

    # azureml://experiments/<experiment>/runs/<run id>/artifacts
    where = artifact_uri_decomp(store.get_run(run_id).info.artifact_uri)
    prefix = where.get("artifact_path")
    artifacts = RunArtifactsClient(store.service_context, where["experiment"], run_id, prefix)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / run_contents.TABLE_FILE
        run_contents.write_table(examples, path)
        name = "/".join(part for part in (prefix, run_contents.TABLE_FILE) if part)
        try:
            artifacts.upload_file(str(path), name)
        except Exception as error:  # noqa: BLE001 - HttpResponseError, storage errors
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise EvaluationError(
                f"The per-example table could not be saved to the evaluation's MLflow run "
                f"{run_id}: {first_line[:300]}",
                "Check that your sign-in may write run artifacts in the workspace (e.g. the "
                "AzureML Data Scientist role), then evaluate again.",
            ) from error
    tag = RunTag(run_contents.LOGGED_ARTIFACTS_TAG, run_contents.logged_table_tag())
    store.set_tag(run_id, tag)


def fail_run(store, run_id: str, reason: str) -> None:
    from mlflow.entities import RunTag

    store.set_tag(run_id, RunTag(tracking.ERROR_TAG, reason[:TAG_LIMIT]))
    store.update_run_info(run_id, "FAILED", _now_ms(), None)


def list_runs(store, job_id: str) -> list[EvaluationInfo]:
    """The job's evaluations on Azure, newest first."""
    from mlflow.entities import ViewType

    experiment_id = _experiment_of(store, job_id)
    runs = store.search_runs(
        experiment_ids=[experiment_id],
        filter_string=f"tags.`studio.kind` = '{KIND}' and tags.`studio.job_id` = '{job_id}'",
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=200,
        order_by=["attributes.start_time DESC"],
        page_token=None,
    )
    infos = [_info(run) for run in runs]
    return sorted(infos, key=lambda info: info.created_at, reverse=True)


def _info(run) -> EvaluationInfo:
    tags, params = run.data.tags, run.data.params
    scorecard = json.loads(tags.get(SCORECARD_TAG) or "{}")
    return EvaluationInfo(
        id=run.info.run_id,
        job_id=tags.get("studio.job_id", ""),
        status=tracking.job_status(run.info.status),
        run_id=run.info.run_id,
        rows=int(params.get("rows", 0)),
        seed=int(params.get("seed", 0)),
        max_new_tokens=int(params.get("max_new_tokens", 0)),
        comparator=tags.get("studio.comparator", "base"),
        created_at=run.info.start_time / 1000,
        ended_at=run.info.end_time / 1000 if run.info.end_time else None,
        verdict=tags.get("studio.verdict", ""),
        improved=scorecard.get("improved"),
        scorecard=scorecard,
        error=tags.get(tracking.ERROR_TAG, ""),
    )


def list_evaluations(backend, job_id: str) -> list[EvaluationInfo]:
    """The job's evaluations through endpoints, from the workspace's MLflow runs, newest first."""
    return list_runs(tracking_store(backend), job_id)
