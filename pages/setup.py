"""Setup page: the wizard. connect → model → compute → data → parameters → review.

A step opens only when every step before it is valid; an invalid step says why. Steps already
passed stay on the page, folded, so a change there is re-checked on every rerun. The steps are
pages/wizard/steps.py; what they choose is one WizardChoices (services/wizard.py).
"""

import streamlit as st

from pages.shared.entry import ensure_app_navigation
from pages.wizard.steps import KEPT_KEYS, STEPS
from services.wizard import WizardChoices

ensure_app_navigation()

STEP = "setup_step"


def keep_choices() -> None:
    """Streamlit drops the values of widgets that are not drawn (later steps after "Back");
    assigning them to themselves keeps the user's choices. Buttons cannot be assigned."""
    for key in [k for k in st.session_state if str(k).startswith(KEPT_KEYS)]:
        st.session_state[key] = st.session_state[key]


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
            st.caption(STEPS[step].why_not)


def draw_steps(step: int) -> None:
    """Every step up to `step`, the earlier ones folded; stops at the first invalid one."""
    choices = WizardChoices()
    for index, current_step in enumerate(STEPS[: step + 1]):
        current = index == step
        title = current_step.title
        with st.container() if current else st.expander(f"{index + 1}. {title} ✓"):
            if current:
                st.subheader(f"{index + 1}. {title}")
            valid = current_step.draw(choices)
        if not valid:
            if not current:  # an earlier choice changed and is no longer valid: go back to it
                st.session_state[STEP] = index
                st.rerun()
            navigation(step, valid=False)
            st.stop()
    navigation(step, valid=True)


keep_choices()
st.title("Setup")
step = st.session_state.setdefault(STEP, 0)
st.progress(
    (step + 1) / len(STEPS),
    text=" → ".join(f"**{s.title}**" if i == step else s.title for i, s in enumerate(STEPS)),
)
draw_steps(step)
