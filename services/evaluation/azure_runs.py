"""Azure evaluations as MLflow runs in the workspace's tracking store, beside the training run.

The store is the connection's own (services.backends.azure.metrics.mlflow_store, the one the
Metrics page reads through), never a local one. Each run sits in the training job's experiment
and carries the tags and metric names the local worker logs (studio.kind, studio.job_id,
studio.training_run_id, studio.comparator, studio.rows, ...; base_rouge_l, tuned_chrf,
improved, judge_wins, ...), so both backends' evaluations read the same in the MLflow UI.
The scorecard is kept in a tag (studio.scorecard, JSON) so the Evaluate page can show it again
after a refresh; a failure ends the run FAILED with the reason in studio.error.
"""

from __future__ import annotations

import json
import time
from typing import Any

from services import tracking
from services.backends.base import Backend
from services.evaluation.errors import EvaluationError
from services.evaluation.evaluations import EvaluationInfo

KIND = "evaluation"
SCORECARD_TAG = "studio.scorecard"
TAG_LIMIT = 5000  # MLflow's longest tag value


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


def scorecard_metrics(card: dict) -> dict[str, float]:
    """The scorecard's figures under the names the local worker logs."""
    figures = {
        f"{which}_{name}": float(value)
        for which in ("base", "tuned")
        for name, value in card[which].items()
        if value is not None  # an endpoint has no perplexity
    }
    figures["improved"] = float(card["improved"])
    judge = card.get("judge")
    if judge:
        low, high = judge["win_interval_95"]
        for key in ("wins", "ties", "losses", "win_share"):
            figures[f"judge_{key}"] = float(judge[key])
        figures.update(judge_win_ci95_low=float(low), judge_win_ci95_high=float(high))
    return figures


def finish_run(store, run_id: str, scorecard: dict) -> None:
    """Log the scorecard's metrics, verdict and JSON, then end the run FINISHED."""
    from mlflow.entities import Metric, RunTag

    now = _now_ms()
    metrics = [Metric(k, v, now, 0) for k, v in scorecard_metrics(scorecard).items()]
    tags = [
        RunTag("studio.verdict", scorecard["verdict"][:TAG_LIMIT]),
        RunTag(SCORECARD_TAG, json.dumps(scorecard)[:TAG_LIMIT]),
    ]
    store.log_batch(run_id, metrics=metrics, params=[], tags=tags)
    store.update_run_info(run_id, "FINISHED", _now_ms(), None)


def fail_run(store, run_id: str, reason: str) -> None:
    from mlflow.entities import RunTag

    store.set_tag(run_id, RunTag("studio.error", reason[:TAG_LIMIT]))
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
        error=tags.get("studio.error", ""),
    )


def list_evaluations(backend, job_id: str) -> list[EvaluationInfo]:
    """The job's evaluations through endpoints, from the workspace's MLflow runs, newest first."""
    return list_runs(tracking_store(backend), job_id)
