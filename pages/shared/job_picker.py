"""The job selectbox of the Jobs and Evaluate pages: the URL's job, else the last one picked."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.shared import state
from services.backends.base import JobInfo
from services.job_display import job_label


def pick_job(
    label: str, jobs: list[JobInfo], key: str, on_change: Callable[[], None] | None = None
) -> str:
    """Draw the selectbox over `jobs` (not empty) and return the chosen id.

    A shared link (?job=...) or the job picked on another page wins over this page's own
    earlier choice; the choice goes back into the URL and to the other pages.
    """
    def put_in_url() -> None:
        st.query_params["job"] = st.session_state[key]

    by_id = {job.id: job for job in jobs}
    wanted = st.query_params.get("job") or st.session_state.get(state.SELECTED_JOB)
    if wanted in by_id and wanted != st.session_state.get(key):
        st.session_state[key] = wanted
    elif st.session_state.get(key) not in by_id:
        st.session_state[key] = jobs[0].id
    job_id = st.selectbox(
        label,
        list(by_id),
        format_func=lambda i: job_label(by_id[i]),
        key=key,
        on_change=on_change or put_in_url,
    )
    st.query_params["job"] = job_id
    st.session_state[state.SELECTED_JOB] = job_id
    return job_id
