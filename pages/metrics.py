"""Metrics page: training and eval loss of one or several runs, live while they train.

The chart comes from each job's MLflow metrics through the backend, so local and Azure runs
chart alike. Below it, the parameters in which the chosen runs differ.
"""

import streamlit as st

from pages.shared import state
from pages.shared.backend import current_backend
from pages.shared.deferred import draw_after_first_paint
from pages.shared.entry import ensure_app_navigation
from services import tracking
from services.backends.base import JobInfo
from services.charts import latest_values, loss_figure, params_diff
from services.job_display import job_label, resumed_curve_note, runs_to_chart
from services.training.jobs import mlflow_ui_command

ensure_app_navigation()

REFRESH_S = 5
RUNS = "metrics_runs"
LATEST = ("loss", "eval_loss", "train_loss", "epoch")


def put_selection_in_url() -> None:
    """The first chosen run goes in the URL (?job=...), so a refresh shows the same chart."""
    if st.session_state[RUNS]:
        st.query_params["job"] = st.session_state[RUNS][0]
    else:
        st.query_params.pop("job", None)


def pick_runs(by_id: dict[str, JobInfo]) -> list[str]:
    """The runs multiselect: the URL's run, or the last one seen, on arrival."""
    st.session_state[RUNS] = runs_to_chart(
        list(by_id),
        st.session_state.get(RUNS),
        st.query_params.get("job"),
        st.session_state.get(state.SELECTED_JOB),
    )
    return st.multiselect(
        "Runs",
        list(by_id),
        format_func=lambda i: job_label(by_id[i]),
        key=RUNS,
        on_change=put_selection_in_url,
    )


def chart(job_ids: list[str], smoothing: float, log_scale: bool, refreshing: bool) -> None:
    jobs = {job_id: backend.get_job(job_id) for job_id in job_ids}
    if refreshing and all(job.is_terminal for job in jobs.values()):
        st.rerun()  # every run has ended: redraw once more without refreshing
    histories = {job_id: backend.get_metrics(job_id) for job_id in job_ids}
    if not any(histories.values()):
        st.info("No metrics yet: the first values appear after the first training steps.")
        return
    figure = loss_figure(histories, smoothing=smoothing, log_scale=log_scale)
    st.plotly_chart(figure, key="metrics_chart")
    if len(job_ids) == 1:
        latest = latest_values(histories[job_ids[0]])
        for column, name in zip(st.columns(len(LATEST)), LATEST, strict=True):
            column.metric(name, f"{latest[name]:.4g}" if name in latest else "–")


def metrics_and_params() -> None:
    running = any(not by_id[i].is_terminal for i in job_ids)
    live = st.fragment(chart, run_every=REFRESH_S if running else None)
    live(job_ids, smoothing, log_scale, refreshing=running)

    st.subheader("Parameters" if len(job_ids) == 1 else "Parameters that differ")
    params = params_diff({job_id: backend.get_params(job_id) for job_id in job_ids})
    if params.empty:
        st.caption("The chosen runs have the same parameters.")
    else:
        st.dataframe(params, key="metrics_params")


def links(jobs: list[JobInfo]) -> None:
    for job in jobs:
        if job.studio_url:
            st.link_button(f"{job.id} in Azure ML studio", job.studio_url)
    if backend.capabilities.mlflow_ui:
        st.caption("The same runs in the MLflow UI:")
        st.code(mlflow_ui_command(), language="bash")


st.title("Metrics")
backend = current_backend()
with st.spinner("Reading runs…"):  # files only, unless a job predates status.json
    by_id = {job.id: job for job in backend.list_jobs()}
if not by_id:
    st.info("No runs yet: start a fine-tuning job from the Setup page.")
    st.stop()
job_ids = pick_runs(by_id)
smoothing_column, scale_column = st.columns([3, 1])
smoothing = smoothing_column.slider("Smoothing", 0.0, 0.95, 0.6, step=0.05, key="metrics_smoothing")
log_scale = scale_column.toggle("Log scale", key="metrics_log_scale")
if not job_ids:
    st.info("Pick one or more runs to chart.")
    st.stop()
st.query_params["job"] = job_ids[0]
st.session_state[state.SELECTED_JOB] = job_ids[0]
for note in filter(None, (resumed_curve_note(by_id[job_id]) for job_id in job_ids)):
    st.caption(note)  # its curve starts with the job it continues
# The job list reads files; the metrics and parameters come from MLflow (seconds when cold).
draw_after_first_paint(
    "metrics",
    metrics_and_params,
    "Reading metrics from MLflow…",
    warm=tracking.local_client_opened(),
)
links([by_id[job_id] for job_id in job_ids])
