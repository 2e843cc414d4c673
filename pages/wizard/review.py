"""Step 6: everything that will be submitted, as the job will show it; then submit."""

from __future__ import annotations

import streamlit as st

from pages.shared.backend import current_backend
from pages.shared.errors import show_error
from pages.shared.signin import is_operator
from services.backends.base import JobSpec, ModelInfo
from services.errors import StudioError
from services.training.estimate import estimate_for
from services.wizard import WizardChoices, review_rows


def render(choices: WizardChoices) -> bool:
    """The last step: always valid (Submit is its own button)."""
    spec, model = choices.job_spec(), choices.chosen_model()
    st.dataframe(
        [{"field": name, "value": value} for name, value in review_rows(spec, model)],
        hide_index=True,
        width="stretch",
    )
    estimate_box(spec, model)
    if not is_operator():
        st.info("Only an operator can submit a job: you are signed in as a viewer.")
        return True
    if st.button("Submit fine-tuning job", type="primary", key="setup_submit"):
        try:
            with st.spinner("Submitting…"):
                job = current_backend().submit_job(spec)
        except StudioError as error:
            show_error(error)
            return True
        st.session_state["setup_submitted_job"] = job.id
    job_id = st.session_state.get("setup_submitted_job")
    if job_id:
        st.success(f"Job `{job_id}` submitted.")
        if st.button("Follow it on the Jobs page", key="setup_open_job"):
            st.switch_page("pages/jobs.py", query_params={"job": job_id})
    return True


def estimate_box(spec: JobSpec, model: ModelInfo) -> None:
    """How long (and on Azure how much) the job should take, before anyone presses Submit."""
    try:
        with st.spinner("Estimating…"):
            estimate = estimate_for(current_backend(), spec, model)
    except StudioError as error:
        show_error(error, "No estimate", level="warning")
        return
    st.info("\n\n".join(estimate.lines()), icon=":material/schedule:")
