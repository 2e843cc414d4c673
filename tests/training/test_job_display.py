"""How jobs read in the table and the progress bar."""

from services.backends.base import JobInfo
from services.job_display import duration, format_duration, job_rows, progress


def test_progress_with_eta_while_running_and_without_once_ended():
    running = JobInfo("j", "running", step=12, total_steps=30, eta_seconds=70)
    assert progress(running) == (0.4, "step 12/30 · 0:01:10 left")
    finished = JobInfo("j", "finished", step=30, total_steps=30, eta_seconds=0)
    assert progress(finished) == (1.0, "step 30/30")
    assert progress(JobInfo("j", "queued")) is None  # Azure jobs report no steps


def test_duration_runs_until_now_while_the_job_runs():
    assert duration(JobInfo("j", "running", started_at=100.0), now=160.0) == 60.0
    assert duration(JobInfo("j", "finished", started_at=100.0, ended_at=130.0), now=999) == 30.0
    assert duration(JobInfo("j", "failed", started_at=100.0)) is None
    assert format_duration(3725) == "1:02:05" and format_duration(None) == ""


def test_rows_in_reading_order():
    job = JobInfo("j1", "finished", "m", "name", 100.0, 130.0, step=6, total_steps=6)
    (row,) = job_rows([job])
    assert list(row) == ["status", "display name", "model", "started", "duration", "progress", "id"]
    assert (row["status"], row["duration"], row["progress"], row["id"]) == (
        "finished",
        "0:00:30",
        "step 6/6",
        "j1",
    )


def test_runs_to_chart_arriving_and_after_a_link():
    from services.job_display import runs_to_chart

    ids = ["new", "mid", "old"]
    assert runs_to_chart(ids, None, "mid", "old") == ["mid"]  # the URL wins on arrival
    assert runs_to_chart(ids, None, "gone", "old") == ["old"]  # else the last one seen
    assert runs_to_chart(ids, None, None, "gone") == ["new"]  # else the newest
    assert runs_to_chart(ids, ["old", "gone"], None, None) == ["old"]  # deleted runs drop out
    assert runs_to_chart(ids, ["old"], "mid", None) == ["mid", "old"]  # a link goes first
    assert runs_to_chart(ids, [], None, None) == []  # the person cleared the choice


def test_shown_status_says_cancel_requested_until_the_job_stops():
    from services.job_display import shown_status

    assert shown_status(JobInfo("j", "running", cancel_requested=True)) == "cancel requested"
    assert shown_status(JobInfo("j", "running"), cancel_sent=True) == "cancel requested"
    assert shown_status(JobInfo("j", "running")) == "running"
    assert shown_status(JobInfo("j", "killed"), cancel_sent=True) == "killed"


def test_notices_above_the_log_name_the_queue_place_and_a_failure():
    from services.job_display import Notice, job_notices
    from services.training.job_record import UNREADABLE_RECORD

    queued = JobInfo("j", "queued", queue_position=2)
    assert [n.is_error for n in job_notices(queued)] == [False]
    assert "position 2" in job_notices(queued)[0].text
    failed = JobInfo("j", "failed", error="Traceback ...")
    assert job_notices(failed) == [Notice("The job failed. The end of its log:", is_error=True)]
    unreadable = JobInfo("j", "failed", display_name=UNREADABLE_RECORD, error="/x/job.json: bad")
    assert job_notices(unreadable) == [Notice("/x/job.json: bad", is_error=True)]
    assert job_notices(JobInfo("j", "finished")) == []
