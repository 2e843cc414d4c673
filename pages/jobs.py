"""Jobs page: every fine-tuning job of the backend; the selected one's progress and live log.

The selected job is in the URL (?job=<id>), so a refresh or a shared link reopens it. The log
refreshes every few seconds while the job runs and stops once it has ended.
"""

import streamlit as st

from pages.shared.backend import current_backend
from pages.shared.entry import ensure_app_navigation
from pages.shared.errors import show_error
from pages.shared.job_picker import pick_job
from pages.shared.signin import is_operator
from services.backends.base import JobInfo
from services.errors import StudioError
from services.job_display import (
    duration,
    format_duration,
    job_notices,
    job_rows,
    progress,
    resumed_line,
    short_model_name,
    shown_status,
)
from services.log_tail import LogTail, follow
from services.security.audit import started_by
from services.training.estimate import check_estimate
from services.training.jobs import mlflow_ui_command
from services.training.resume_offer import may_resume, resume_offer, resume_unsupported

ensure_app_navigation()

REFRESH_S = 2
LOG_TAIL = "jobs_log"  # the selected job's LogTail, so a refresh reads only what is new
SELECTED = "jobs_selected"
CONFIRM_CANCEL = "jobs_confirm_cancel"
CANCEL_SENT = "jobs_cancel_sent"  # ids whose cancel this session sent (Azure stops later)


def log_tail(job_id: str) -> LogTail:
    """The job's log so far, kept in the session: each refresh reads only what is new."""
    tail = follow(backend, job_id, st.session_state.get(LOG_TAIL))
    st.session_state[LOG_TAIL] = tail
    return tail


def run_report(job_id: str) -> bytes:
    from services.report import report_html  # jinja2 and plotly load only when it is asked for

    return report_html(backend, job_id).encode()


def header(job: JobInfo) -> None:
    st.subheader(job.display_name or job.id)
    if job.resumed_from:
        st.caption(resumed_line(job))
    st.caption(f"Started by {started_by('submit').get(job.id, 'unknown (before the audit log)')}")


def live_view(job_id: str, refreshing: bool) -> None:
    job = backend.get_job(job_id)
    if refreshing and job.is_terminal:
        st.rerun()  # redraw the whole page: final status, no more refreshing
    status, model, elapsed = st.columns(3)
    cancel_sent = job_id in st.session_state.get(CANCEL_SENT, ())
    status.metric("Status", shown_status(job, cancel_sent))
    model.metric("Model", short_model_name(job.model_id))
    elapsed.metric("Duration", format_duration(duration(job)) or "…")
    notices(job)
    st.code(log_tail(job_id).shown(), language=None)


def notices(job: JobInfo) -> None:
    """Progress, queue place, or why the job failed, above its log."""
    shown = progress(job)
    if shown:
        st.progress(shown[0], text=shown[1])
    for notice in job_notices(job):
        (st.error if notice.is_error else st.info)(notice.text)


def cancel_controls(job_id: str) -> None:
    if st.session_state.get(CONFIRM_CANCEL) != job_id:
        if st.button("Cancel job", key="jobs_cancel", icon=":material/stop_circle:"):
            st.session_state[CONFIRM_CANCEL] = job_id
            st.rerun()
        return
    st.warning(f"Cancel `{job_id}`? Training stops now; its run is marked killed.")
    yes, no = st.columns(2)
    if yes.button("Yes, cancel the job", type="primary", key="jobs_cancel_yes"):
        cancel(job_id)
    if no.button("No, keep it running", key="jobs_cancel_no"):
        st.session_state.pop(CONFIRM_CANCEL)
        st.rerun()


def cancel(job_id: str) -> None:
    try:
        with st.spinner("Stopping the job…"):
            backend.cancel_job(job_id)
    except StudioError as error:
        show_error(error)
        return
    st.session_state[CANCEL_SENT] = {*st.session_state.get(CANCEL_SENT, ()), job_id}
    st.session_state.pop(CONFIRM_CANCEL)
    st.rerun()


def resume_controls(job: JobInfo) -> None:
    """The "Resume from step N" button (the newest usable checkpoint) of a stopped job."""
    if not backend.capabilities.resume:
        st.info(resume_unsupported(backend.name))
        return
    offer = resume_offer(backend.list_checkpoints(job.id))
    if offer.step is None:
        st.caption(offer.why_not)
        return
    if st.button(
        f"Resume from step {offer.step}",
        key="jobs_resume",
        icon=":material/play_circle:",
        help="A new job continues this one: same data, optimizer and schedule, same step count.",
    ):
        try:
            resumed = backend.resume_job(job.id, offer.step)
        except StudioError as error:
            show_error(error)
            return
        st.query_params["job"] = resumed.id
        st.rerun()


def links(job: JobInfo) -> None:
    """The run report, the loss chart, and where else the run can be seen."""
    st.download_button(
        "Download run report",
        data=lambda: run_report(job.id),  # built only when clicked
        file_name=f"{job.id}-report.html",
        mime="text/html",
        key="jobs_report",
        icon=":material/download:",
        help="One HTML file that opens offline: parameters, data, loss charts, scorecard, "
        "estimate.",
    )
    if st.button("Loss chart", key="jobs_to_metrics", icon=":material/monitoring:"):
        st.switch_page("pages/metrics.py", query_params={"job": job.id})
    if job.studio_url:
        st.link_button("Open in Azure ML studio", job.studio_url, icon=":material/open_in_new:")
    elif backend.capabilities.mlflow_ui:
        st.caption("All local runs, their parameters, metrics and artifacts, in the MLflow UI:")
        st.code(mlflow_ui_command(), language="bash")


st.title("Jobs")
backend = current_backend()
with st.spinner("Reading jobs…"):  # the first visit may wait for MLflow to load
    jobs = backend.list_jobs()
if not jobs:
    st.info("No fine-tuning jobs yet. Submit one from the Setup page, or from a terminal:")
    st.code("python -m services train --model SmolLM2-135M-Instruct --data <folder> --max-steps 30")
    st.stop()
st.dataframe(job_rows(jobs), hide_index=True, key="jobs_table")
job_id = pick_job("Job", jobs, SELECTED)
job = next(job for job in jobs if job.id == job_id)
header(job)
live = st.fragment(live_view, run_every=None if job.is_terminal else REFRESH_S)
live(job_id, refreshing=not job.is_terminal)
if job.status == "finished" and (estimate := check_estimate(job_id)):
    st.caption(estimate.line(), help="The pre-flight estimate made at submit, against this run.")
if not job.is_terminal and is_operator():
    cancel_controls(job_id)
if may_resume(job):
    resume_controls(job)
links(job)
