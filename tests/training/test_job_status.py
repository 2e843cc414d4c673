"""Job statuses: one table for MLflow run statuses and Azure ML job statuses."""

from __future__ import annotations

import pytest

from services.backends.base import JobInfo
from services.status import JobStatus


@pytest.mark.parametrize(
    ("service", "ours"),
    [
        ("SCHEDULED", "queued"),
        ("RUNNING", "running"),
        ("FINISHED", "finished"),
        ("FAILED", "failed"),
        ("KILLED", "killed"),
        ("NotStarted", "queued"),
        ("Cancel_Requested", "running"),
        ("Completed", "finished"),
        ("Canceled", "killed"),
        (None, "queued"),
    ],
)
def test_service_statuses_map_onto_ours(service, ours):
    assert JobStatus.from_service(service) == ours


def test_terminal_and_running_are_each_others_opposite():
    assert [s.value for s in JobStatus if s.is_terminal] == ["finished", "failed", "killed"]
    assert all(s.is_running != s.is_terminal for s in JobStatus)


def test_a_job_given_a_word_holds_its_status():
    job = JobInfo("j", "killed")
    assert job.status is JobStatus.KILLED and job.is_terminal
    assert f"{job.status}" == "killed"
    with pytest.raises(ValueError):
        JobInfo("j", "paused")  # a service's word must be mapped first
