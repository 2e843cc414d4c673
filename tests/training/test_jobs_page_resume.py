"""Jobs page (AppTest): "Resume from step N", resume not offered where the backend has none,
and "cancel requested" while a backend that stops jobs later has not stopped the job yet."""

from __future__ import annotations

import pytest

from pages.shared import backend as page_backend
from services.backends.base import Capabilities
from services.backends.local import LocalBackend
from services.training import jobs
from tests.app_helpers import open_page
from tests.training.test_resume import _record, _write_checkpoint


class NoResumeBackend(LocalBackend):
    """A backend like Azure's: no checkpoints to resume from."""

    name = "azure"
    capabilities = Capabilities(create_compute=True)


class LateCancelBackend(LocalBackend):
    """A backend like Azure's: a cancel is accepted at once, the job stops later."""

    def cancel_job(self, job_id: str) -> None:
        pass


@pytest.fixture
def use_backend(monkeypatch):
    def use(backend) -> None:
        monkeypatch.setattr(page_backend, "_cached_backend", lambda name, options: backend)

    return use


@pytest.fixture
def running_job(tiny_spec, stand_in_worker) -> str:
    job = jobs.submit_job(tiny_spec())
    yield job.id
    jobs.cancel_job(job.id)


@pytest.fixture
def cancelled_job(running_job) -> str:
    jobs.cancel_job(running_job)
    return running_job


def _buttons(at) -> dict[str, str]:
    return {button.key: button.label for button in at.button}


def test_a_cancelled_job_with_a_checkpoint_resumes_from_the_page(cancelled_job, stand_in_worker):
    _write_checkpoint(cancelled_job, 10)
    _write_checkpoint(cancelled_job, 20)
    at = open_page("jobs", query_params={"job": cancelled_job})
    assert not at.exception, at.exception
    assert _buttons(at)["jobs_resume"] == "Resume from step 20"

    at.button(key="jobs_resume").click().run()

    resumed = at.query_params["job"]
    assert isinstance(resumed, str) and resumed != cancelled_job
    try:
        assert (_record(resumed)["resumed_from"], _record(resumed)["resumed_from_step"]) == (
            cancelled_job,
            20,
        )
        assert any(f"Resumed from job `{cancelled_job}` at step 20" in c.value for c in at.caption)
    finally:
        jobs.cancel_job(resumed)


def test_a_job_without_a_usable_checkpoint_says_why_there_is_no_resume(cancelled_job):
    (_write_checkpoint(cancelled_job, 10) / "scheduler.pt").unlink()
    at = open_page("jobs", query_params={"job": cancelled_job})
    assert "jobs_resume" not in _buttons(at)
    assert any("step 10: scheduler.pt is missing" in c.value for c in at.caption)


def test_a_backend_without_resume_says_so_plainly(cancelled_job, use_backend):
    _write_checkpoint(cancelled_job, 10)
    use_backend(NoResumeBackend())
    at = open_page("jobs", query_params={"job": cancelled_job})
    assert not at.exception, at.exception
    assert "jobs_resume" not in _buttons(at)
    assert any("Resume is not available on the azure backend" in i.value for i in at.info)


def test_a_cancel_shows_cancel_requested_until_the_job_stops(running_job, use_backend):
    use_backend(LateCancelBackend())
    at = open_page("jobs", query_params={"job": running_job})
    at.button(key="jobs_cancel").click().run()
    at.button(key="jobs_cancel_yes").click().run()
    assert {m.label: m.value for m in at.metric}["Status"] == "cancel requested"

    jobs.cancel_job(running_job)  # the backend's job has stopped now
    at.run()
    assert {m.label: m.value for m in at.metric}["Status"] == "killed"


def test_an_azure_job_in_cancel_requested_is_marked_so():
    from services.backends.azure.jobs import to_job_info

    class AzureJob:
        name, display_name, studio_url, tags, properties = "j", "", "", {}, {}
        creation_context, status = None, "CancelRequested"

    info = to_job_info(AzureJob())
    assert (info.status, info.cancel_requested) == ("running", True)
    AzureJob.status = "Canceled"
    assert (to_job_info(AzureJob()).status, to_job_info(AzureJob()).cancel_requested) == (
        "killed",
        False,
    )


def test_the_deploy_page_offers_a_cancelled_job_s_kept_checkpoints(cancelled_job):
    _write_checkpoint(cancelled_job, 10)
    _write_checkpoint(cancelled_job, 20)
    at = open_page("deploy")
    assert not at.exception, at.exception
    assert at.selectbox(key="deploy_job").value.id == cancelled_job
    what = at.selectbox(key=f"deploy_checkpoint_{cancelled_job}")
    assert what.options == ["checkpoint, step 20", "checkpoint, step 10"]  # no final model
