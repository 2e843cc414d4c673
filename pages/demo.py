"""Demo page: one click runs demo data → short fine-tune → register → deploy → evaluate (the
verdict: tuned vs base), then opens Chat.

The demo runs as a background process (services.demo.start_demo), so reruns, other pages or a
closed tab never stop it; this page only reads its progress, every few seconds while it runs.

Every element sits at the same place in every run, running or not: while a run redraws the page,
Streamlit keeps the previous run's elements until the new run replaces them, so an element that
moved (a caption drawn above the progress only while running) left the old stage boxes showing
beside the new ones: two boxes with one title, for a moment.
"""

from pathlib import Path
from typing import Literal

import streamlit as st

from pages.shared import state
from pages.shared.entry import ensure_app_navigation
from pages.shared.errors import show_error
from pages.shared.signin import current_caller, is_operator
from services.demo import (
    DEMO_EVAL_ROWS,
    DEMO_MAX_STEPS,
    STAGES,
    DemoRun,
    demo_model_id,
    read_demo,
    start_demo,
)
from services.errors import StudioError

ensure_app_navigation()

REFRESH_S = 2


def stage_boxes(run: DemoRun) -> None:
    slots = {stage: st.empty() for stage, _ in STAGES}  # a fixed place per stage, drawn or not
    reached = {event.stage for event in run.events}
    for stage, title in STAGES:
        events = [event for event in run.events if event.stage == stage]
        done = any(event.stage_done for event in events)
        state: Literal["running", "complete", "error"]
        if done:
            state = "complete"
        elif events and run.error:
            state = "error"
        elif events:
            state = "running"
        else:
            continue  # not started yet
        current = not done and stage in reached
        verdict = done and stage == "evaluate"  # the demo ends on it: keep it open
        with slots[stage].status(title, state=state, expanded=current or verdict):
            for event in events:
                st.markdown(event.message)
            fractions = [e.fraction for e in events if e.fraction is not None]
            if fractions and not done:
                st.progress(fractions[-1])


def progress_view(refreshing: bool) -> None:
    run = read_demo()
    if run is None:
        return
    if refreshing and run.finished:
        # Redraw the whole page once, without refreshing, before drawing the "Chat with it"
        # button: a click on a button drawn by a refreshing run would be lost to this rerun.
        st.rerun()
    stage_boxes(run)
    if run.error:
        show_error(StudioError(run.error, run.hint))
    elif run.endpoint:
        st.success(f"Endpoint `{run.endpoint}` is ready.")
        if st.button("Chat with it", type="primary", key="demo_open_chat", icon=":material/chat:"):
            st.session_state[state.CHAT_ENDPOINT] = run.endpoint  # preselected on the Chat page
            st.switch_page("pages/chat.py")


st.title("Demo")
st.markdown(
    "One click prepares the bundled demo conversations, fine-tunes "
    f"**{Path(demo_model_id()).name}** for {DEMO_MAX_STEPS} steps on this machine, registers and "
    f"deploys it, scores it against its base model on {DEMO_EVAL_ROWS} held-out rows, then opens "
    "the chat. A few minutes on a laptop CPU; it keeps running if you leave this page."
)
run = read_demo()
running = run is not None and not run.finished
again = run is not None and bool(run.endpoint)
label = "Run the demo again" if again else "Run the demo"
clicked = is_operator() and st.button(
    label, type="secondary" if again else "primary", disabled=running, key="demo_start"
)
status_line = st.empty()  # drawn in every run, so the progress below never moves
if clicked:
    try:
        start_demo(caller=current_caller())
    except StudioError as error:
        with status_line.container():
            show_error(error)
    else:
        st.rerun()
elif running:
    status_line.caption("Running… The Jobs page shows the fine-tune's log while it trains.")
st.fragment(progress_view, run_every=REFRESH_S if running else None)(refreshing=running)
