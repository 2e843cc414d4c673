"""What the Jobs page offers a stopped job: the newest usable checkpoint, or why none."""

from services.backends.base import CheckpointInfo, JobInfo
from services.training.resume_offer import may_resume, resume_offer


def test_the_newest_usable_checkpoint_is_offered():
    kept = [CheckpointInfo(10, "a"), CheckpointInfo(20, "b"), CheckpointInfo(30, "c", "torn")]
    assert resume_offer(kept).step == 20


def test_without_a_usable_checkpoint_the_reason_names_each_problem():
    offer = resume_offer([CheckpointInfo(10, "a", "scheduler.pt is missing")])
    assert offer.step is None and "step 10: scheduler.pt is missing" in offer.why_not
    assert "before its first save" in resume_offer([]).why_not


def test_only_a_cancelled_or_failed_job_may_resume():
    assert may_resume(JobInfo("j", "killed")) and may_resume(JobInfo("j", "failed"))
    assert not may_resume(JobInfo("j", "finished")) and not may_resume(JobInfo("j", "running"))
