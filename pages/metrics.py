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
from services.charts import latest_values, loss_figure, params_diff
from services.job_display import job_label
from services.training.jobs import mlflow_ui_command

ensure_app_navigation()

REFRESH_S = 5
RUNS = "metrics_runs"


def put_selection_in_url() -> None:
    """The first chosen run goes in the URL (?job=...), so a refresh shows the same chart."""
    if st.session_state[RUNS]:
        st.query_params["job"] = st.session_state[RUNS][0]
    else:
        st.query_params.pop("job", None)


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
        columns = st.columns(4)
        for column, name in zip(columns, ("loss", "eval_loss", "train_loss", "epoch"), strict=True):
            column.metric(name, f"{latest[name]:.4g}" if name in latest else "–")


st.title("Metrics")
backend = current_backend()
with st.spinner("Reading runs…"):  # files only, unless a job predates status.json
    jobs = backend.list_jobs()
if not jobs:
    st.info("No runs yet: start a fine-tuning job from the Setup page.")
    st.stop()

by_id = {job.id: job for job in jobs}
wanted = st.query_params.get("job")
if RUNS not in st.session_state:  # arriving on the page: the run in the URL, or the last one seen
    first = wanted if wanted in by_id else st.session_state.get(state.SELECTED_JOB)
    st.session_state[RUNS] = [first if first in by_id else jobs[0].id]
else:
    chosen = [i for i in st.session_state[RUNS] if i in by_id]
    if wanted in by_id and wanted not in chosen:  # a link to another run
        chosen.insert(0, wanted)
    st.session_state[RUNS] = chosen

job_ids = st.multiselect(
    "Runs",
    list(by_id),
    format_func=lambda i: job_label(by_id[i]),
    key=RUNS,
    on_change=put_selection_in_url,
)
smoothing_column, scale_column = st.columns([3, 1])
smoothing = smoothing_column.slider("Smoothing", 0.0, 0.95, 0.6, step=0.05, key="metrics_smoothing")
log_scale = scale_column.toggle("Log scale", key="metrics_log_scale")
if not job_ids:
    st.info("Pick one or more runs to chart.")
    st.stop()
st.query_params["job"] = job_ids[0]
st.session_state[state.SELECTED_JOB] = job_ids[0]
for job_id in job_ids:
    if by_id[job_id].resumed_from:  # its curve starts with the job it continues
        st.caption(
            f"`{job_id}` resumed `{by_id[job_id].resumed_from}` at step "
            f"{by_id[job_id].resumed_from_step}: its curve is that job's up to the checkpoint, "
            "then its own (a child run in MLflow)."
        )


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


# The job list reads files; the metrics and parameters come from MLflow (seconds when cold).
draw_after_first_paint(
    "metrics",
    metrics_and_params,
    "Reading metrics from MLflow…",
    warm=tracking.local_client_opened(),
)

for job_id in job_ids:
    if by_id[job_id].studio_url:
        st.link_button(f"{job_id} in Azure ML studio", by_id[job_id].studio_url)
if backend.capabilities.mlflow_ui:
    st.caption("The same runs in the MLflow UI:")
    st.code(mlflow_ui_command(), language="bash")
