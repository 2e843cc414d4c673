"""Job and endpoint statuses: the words people see, what each one implies, and one table per
kind that maps a service's own words onto them.

Both are StrEnums: they compare equal to their words ("finished"), print as them and are
written to JSON as them, so the CLI's output and the pages read as before.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """A fine-tuning job's (or an evaluation's) status, on either backend."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    KILLED = "killed"

    @property
    def is_terminal(self) -> bool:
        """It has ended: nothing about it will change any more."""
        return self in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.KILLED)

    @property
    def is_running(self) -> bool:
        """Queued or running: it has, or waits for, a worker."""
        return not self.is_terminal

    @classmethod
    def from_service(cls, value: object) -> JobStatus:
        """An MLflow run status ("SCHEDULED") or an Azure ML job status ("CancelRequested"),
        in any case and with or without underscores; one that is not known yet is queued."""
        return _JOB_STATUSES.get(service_status_key(value), cls.QUEUED)


_JOB_STATUSES = {
    # MLflow run statuses (the local backend, and Azure ML's runs read through MLflow)
    "scheduled": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
    "finished": JobStatus.FINISHED,
    "failed": JobStatus.FAILED,
    "killed": JobStatus.KILLED,
    # Azure ML job statuses
    "notstarted": JobStatus.QUEUED,
    "starting": JobStatus.QUEUED,
    "provisioning": JobStatus.QUEUED,
    "preparing": JobStatus.QUEUED,
    "queued": JobStatus.QUEUED,
    "finalizing": JobStatus.RUNNING,
    "cancelrequested": JobStatus.RUNNING,  # still running until Azure confirms Canceled
    "completed": JobStatus.FINISHED,
    "notresponding": JobStatus.FAILED,
    "canceled": JobStatus.KILLED,
    "paused": JobStatus.KILLED,  # terminal in Azure ML: the job will not go on by itself
}


class EndpointStatus(StrEnum):
    """A deployed endpoint's status, on either backend."""

    STARTING = "starting"  # local: the server process is loading the model
    RUNNING = "running"
    UNRESPONSIVE = "unresponsive"  # local: the process lives but /health did not answer
    STOPPED = "stopped"  # local: its server process is gone
    FAILED = "failed"
    PROVISIONING = "provisioning"  # azure: being created or updated
    DELETING = "deleting"  # azure
    UNKNOWN = "unknown"  # azure: a provisioning state this studio does not know

    @property
    def takes_requests(self) -> bool:
        """Worth sending a chat request to: running, or alive but busy (unresponsive)."""
        return self in (EndpointStatus.RUNNING, EndpointStatus.UNRESPONSIVE)

    @property
    def is_down(self) -> bool:
        """It will not answer again by itself (local: no process left)."""
        return self in (EndpointStatus.STOPPED, EndpointStatus.FAILED)

    @classmethod
    def from_azure(cls, provisioning_state: object) -> EndpointStatus:
        """An Azure ML online endpoint's provisioning state ("Succeeded", "Creating", ...)."""
        return _AZURE_ENDPOINT_STATES.get(str(provisioning_state or "").lower(), cls.UNKNOWN)


_AZURE_ENDPOINT_STATES = {
    "succeeded": EndpointStatus.RUNNING,
    "creating": EndpointStatus.PROVISIONING,
    "updating": EndpointStatus.PROVISIONING,
    "provisioning": EndpointStatus.PROVISIONING,
    "deleting": EndpointStatus.DELETING,
    "failed": EndpointStatus.FAILED,
    "canceled": EndpointStatus.FAILED,
}


def service_status_key(value: object) -> str:
    """A service's status word, compared as-is: "CancelRequested", "CANCEL_REQUESTED" and an
    enum member all read "cancelrequested"."""
    return str(getattr(value, "value", value) or "").replace("_", "").lower()
