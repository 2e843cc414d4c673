"""Setup page: the wizard. connect → model → compute → data → parameters → review.

A step opens only when every step before it is valid; an invalid step says why. Steps already
passed stay on the page, folded, so a change there is re-checked on every rerun.
"""

import streamlit as st

from pages.shared.entry import ensure_app_navigation
from pages.wizard import compute, connect, data, model, parameters, review
from services.wizard import STEPS, build_job_spec

ensure_app_navigation()

STEP = "setup_step"
WHY_NOT = {
    "Connect": "Connect to a backend to go on.",
    "Model": "Pick a current model to go on.",
    "Compute": "The compute check must pass to go on.",
    "Data": "Choose prepared data to go on.",
    "Parameters": "Fix the parameters to go on.",
}

# Streamlit drops the values of widgets that are not drawn (later steps after "Back");
# assigning them to themselves keeps the user's choices. Buttons cannot be assigned.
CHOICES = (
    "setup_backend_choice",
    "setup_model_id",
    "setup_model_name",
    "setup_compute",
    "setup_gpus",
    "setup_batch",
    "setup_seq",
    "setup_dataset",
    "setup_param_",
)
for key in [k for k in st.session_state if str(k).startswith(CHOICES)]:
    st.session_state[key] = st.session_state[key]


def run_step(name: str, done: dict):
    """Draw one step; return its result, or None while it is invalid."""
    if name == "Connect":
        return connect.render() or None
    if name == "Model":
        return model.render()
    if name == "Compute":
        check = compute.render(done["Model"])
        return check if check is not None and check.ok else None
    if name == "Data":
        return data.render()
    if name == "Parameters":
        return parameters.render(
            done["Model"],
            done["Compute"].gpus,
            int(st.session_state["setup_batch"]),
            int(st.session_state["setup_seq"]),
        )
    spec = build_job_spec(
        model=done["Model"],
        compute=st.session_state["setup_compute"],
        gpus=done["Compute"].gpus,
        train_file=done["Data"][0],
        test_file=done["Data"][1],
        params=done["Parameters"],
    )
    review.render(spec, done["Model"])
    return spec


def navigation(step: int, valid: bool) -> None:
    back, forward = st.columns([1, 6])
    if step > 0 and back.button("Back", key="setup_back"):
        st.session_state[STEP] = step - 1
        st.rerun()
    if step < len(STEPS) - 1:
        if forward.button("Next", type="primary", disabled=not valid, key="setup_next"):
            st.session_state[STEP] = step + 1
            st.rerun()
        if not valid:
            st.caption(WHY_NOT[STEPS[step]])


st.title("Setup")
step = st.session_state.setdefault(STEP, 0)
st.progress(
    (step + 1) / len(STEPS),
    text=" → ".join(f"**{n}**" if i == step else n for i, n in enumerate(STEPS)),
)

done: dict = {}
for index, name in enumerate(STEPS[: step + 1]):
    current = index == step
    with st.container() if current else st.expander(f"{index + 1}. {name} ✓"):
        if current:
            st.subheader(f"{index + 1}. {name}")
        result = run_step(name, done)
    if result is None:
        if not current:  # an earlier choice changed and is no longer valid: go back to it
            st.session_state[STEP] = index
            st.rerun()
        navigation(step, valid=False)
        st.stop()
    done[name] = result
navigation(step, valid=True)
