"""Azure ML jobs as JobInfo: status mapping, listing, cancel, parameters."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from services.backends.azure.connection import AzureClients, service_error, short
from services.backends.base import JobInfo
from services.errors import JobError
from services.status import JobStatus, service_status_key

# Tags the studio puts on the pipeline job, so register/deploy know the foundation model.
MODEL_TAG = "studio.model"
MODEL_ID_TAG = "studio.model_id"
MAX_LISTED_JOBS = 50


def map_status(status: Any) -> JobStatus:
    """An azure-ai-ml job status as the status users see."""
    return JobStatus.from_service(status)


def _epoch(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def to_job_info(job: Any) -> JobInfo:
    tags = job.tags or {}
    properties = job.properties or {}
    created = getattr(job.creation_context, "created_at", None) if job.creation_context else None
    status = map_status(job.status)
    error = ""
    if status == "failed":
        error = f"Azure ML reports {job.status}. Open the job in Azure ML studio for the cause."
    return JobInfo(
        id=job.name,
        status=status,
        model_id=tags.get(MODEL_ID_TAG, tags.get(MODEL_TAG, "")),
        display_name=job.display_name or "",
        started_at=_epoch(properties.get("StartTimeUtc")) or _epoch(created),
        ended_at=_epoch(properties.get("EndTimeUtc")),
        error=error,
        studio_url=job.studio_url or "",
        run_id=job.name,  # an Azure ML job's MLflow run id is its name
        cancel_requested=service_status_key(job.status) == "cancelrequested",
    )


def get_azure_job(clients: AzureClients, job_id: str) -> Any:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return clients.workspace.jobs.get(job_id)
    except ResourceNotFoundError as error:
        raise JobError(
            f"Job '{job_id}' does not exist in workspace '{clients.ref.workspace_name}'.",
            "Check the job name on the Jobs page.",
        ) from error
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"job '{job_id}'") or JobError(
            f"Cannot read job '{job_id}': {short(error)}"
        ) from error


def get_job(clients: AzureClients, job_id: str) -> JobInfo:
    return to_job_info(get_azure_job(clients, job_id))


def list_jobs(clients: AzureClients) -> list[JobInfo]:
    """The workspace's most recent pipeline jobs (the service lists newest first)."""
    try:
        listed = itertools.islice(clients.workspace.jobs.list(), MAX_LISTED_JOBS)
        return [to_job_info(job) for job in listed if job.type == "pipeline"]
    except Exception as error:  # noqa: BLE001
        raise service_error(error, "the workspace's jobs") or JobError(
            f"Cannot list the workspace's jobs: {short(error)}"
        ) from error


def cancel_job(clients: AzureClients, job_id: str) -> None:
    """Ask Azure to cancel; returns once the request is accepted, without waiting.

    Azure answers 202 and takes from seconds to minutes to stop the job, so nothing polls
    here (polling=False): the job reads CancelRequested ("running") until get_job reads
    Canceled ("killed").
    """
    try:
        clients.workspace.jobs.begin_cancel(job_id, polling=False)
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"job '{job_id}'") or JobError(
            f"Cannot cancel job '{job_id}': {short(error)}",
            "It may have finished already; refresh the job status.",
        ) from error


def get_params(clients: AzureClients, job_id: str) -> dict[str, str]:
    """The inputs the pipeline's steps were given (what the review step submitted)."""
    job = get_azure_job(clients, job_id)
    params: dict[str, str] = {}
    for node in (getattr(job, "jobs", None) or {}).values():
        for name, value in (node.inputs or {}).items():
            data = getattr(value, "_data", value)
            data = getattr(data, "path", data)
            if data is not None:
                params[name] = str(data)
    return dict(sorted(params.items()))
