"""Deploy page: a finished job → a registered model version → an endpoint you can chat with.

Keys are secrets: shown masked; revealed (st.code gives a copy button) only after a confirm,
and each reveal goes in the audit log. Regenerating a key and deleting an endpoint ask first.
"""

import pandas as pd
import streamlit as st

from pages.shared import cost_notice, state
from pages.shared.backend import current_backend
from pages.shared.deferred import draw_after_first_paint
from pages.shared.entry import ensure_app_navigation
from pages.shared.errors import show_error
from pages.shared.signin import current_caller, is_operator
from services import tracking
from services.chat.client import mask_key
from services.errors import StudioError
from services.security.audit import started_by
from services.security.endpoint_keys import reveal_key
from services.serving.display import endpoint_rows
from services.serving.local_registry import default_model_name

ensure_app_navigation()

REVEALED = "deploy_revealed"  # (endpoint, key) the person chose to see: one at a time
REGENERATED = "deploy_regenerated"  # the message shown after the rerun that follows it
DEPLOYED = "deploy_just_deployed"  # the message shown after the rerun that follows a deploy
JUST_REGISTERED = "deploy_just_registered"  # (name, version) to preselect for deploying

backend = current_backend()
st.title("Deploy")
st.caption("Register a finished job, deploy a version as an endpoint, then chat with it.")

# 1. Register
st.subheader("1 · Register a finished job")


def register_choices(job) -> list[int | None]:
    """What of `job` can be registered: None is its final model, a number a kept checkpoint."""
    final: list[int | None] = [None] if job.status == "finished" else []
    if not backend.capabilities.checkpoints:
        return final
    kept = [c.step for c in reversed(backend.list_checkpoints(job.id)) if c.usable]
    return final + kept


with st.spinner("Reading jobs…"):  # files only, unless a job predates status.json
    choices = {job: register_choices(job) for job in backend.list_jobs() if job.is_terminal}
    registrable = [job for job, what in choices.items() if what]
if not registrable:
    st.info("No finished job yet: fine-tune a model on the Setup page, follow it on Jobs.")
else:
    job = st.selectbox(
        "Finished job",
        registrable,
        format_func=lambda j: f"{j.display_name or j.id} ({j.id}, {j.status})",
        key="deploy_job",
    )
    checkpoint = st.selectbox(
        "What to register",
        choices[job],
        format_func=lambda step: "the final model" if step is None else f"checkpoint, step {step}",
        key=f"deploy_checkpoint_{job.id}",
        help="A kept checkpoint is the model as it was at that step (any job that kept one).",
    )
    name = st.text_input(
        "Model name",
        value=default_model_name(job.model_id),
        key=f"deploy_model_name_{job.id}",
        help="A new version is added each time you register under the same name.",
    )
    if is_operator() and st.button(
        "Register", key="deploy_register", icon=":material/inventory_2:"
    ):
        try:
            with st.spinner("Registering…"):
                model = backend.register_model(job.id, name, checkpoint=checkpoint)
            st.session_state[JUST_REGISTERED] = (model.name, model.version)
            st.success(f"Registered **{model.name}** version {model.version}.")
        except StudioError as error:
            show_error(error)

# 2. Deploy
st.subheader("2 · Deploy a registered version")


def registered_versions() -> None:
    with st.spinner("Reading registered models…"):
        versions = backend.list_registered_models()
    if not versions:
        st.info("No registered model yet: register a finished job above.")
        return
    rows = [
        {
            "name": v.name,
            "version": v.version,
            "job": v.source_job,
            "step": "final" if v.checkpoint_step is None else str(v.checkpoint_step),
            "base": v.base_model,
        }
        for v in versions
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="deploy_versions_table")
    if not is_operator():
        return
    if JUST_REGISTERED in st.session_state:  # offer the version just registered, not the old one
        just = st.session_state.pop(JUST_REGISTERED)
        match = [v for v in versions if (v.name, v.version) == just]
        if match:
            st.session_state["deploy_version"] = match[0]
    chosen = st.selectbox(
        "Version to deploy",
        versions,
        format_func=lambda v: (
            f"{v.name} : {v.version}"
            + ("" if v.checkpoint_step is None else f" (step {v.checkpoint_step})")
        ),
        key="deploy_version",
    )
    deploy_col, base_col = st.columns(2)
    deploy_clicked = deploy_col.button(
        "Deploy", type="primary", key="deploy_deploy", icon=":material/rocket_launch:"
    )
    can_serve_base = backend.capabilities.deploy_base_model and bool(chosen.base_model)
    base_clicked = can_serve_base and base_col.button(
        "Deploy its base model too (for comparison)", key="deploy_base"
    )
    if deploy_clicked or base_clicked:
        what = f"the base model of {chosen.name}" if base_clicked else chosen.uri or chosen.name
        with st.status(f"Deploying {what}…", expanded=True) as progress:
            try:
                if base_clicked:
                    endpoint = backend.deploy_base_model(chosen.base_model, on_progress=st.write)
                else:
                    endpoint = backend.deploy(chosen.name, chosen.version, on_progress=st.write)
            except StudioError as error:
                show_error(error)
                progress.update(label="Deployment failed", state="error")
                st.stop()
        # Rerun so the sidebar's cost notice (drawn before this page) lists the new endpoint.
        st.session_state[DEPLOYED] = f"{endpoint.name} is {endpoint.status}."
        cost_notice.refresh()
        st.rerun()
    if DEPLOYED in st.session_state:
        st.success(st.session_state.pop(DEPLOYED), icon=":material/rocket_launch:")


# Registered versions live in MLflow's registry: the page draws first while MLflow is cold.
draw_after_first_paint(
    "deploy",
    registered_versions,
    "Reading registered models from MLflow…",
    warm=tracking.local_client_opened(),
)


def key_controls(name: str) -> None:
    """The key masked; shown (with st.code's copy button) only after an explicit confirm."""
    st.markdown("**Key** (send it as `Authorization: Bearer <key>`)")
    revealed = st.session_state.get(REVEALED)
    if revealed and revealed[0] == name:
        st.code(revealed[1], language=None)
        if st.button("Hide key", key="deploy_hide_key"):
            st.session_state.pop(REVEALED)
            st.rerun()
    else:
        st.code(mask_key(backend.scoring_target(name).key), language=None)
        sure = st.checkbox("Show the key on this screen", key=f"deploy_reveal_confirm_{name}")
        if st.button("Reveal key", key="deploy_reveal", disabled=not sure):
            key = reveal_key(backend, name, caller=current_caller())  # audited, once
            st.session_state[REVEALED] = (name, key)
            st.rerun()
    sure = st.checkbox(
        "Regenerate: the old key stops working at once", key=f"deploy_regenerate_confirm_{name}"
    )
    if st.button("Regenerate key", key="deploy_regenerate", disabled=not sure):
        try:
            backend.regenerate_key(name)
        except StudioError as error:
            show_error(error)
            return
        st.session_state.pop(REVEALED, None)
        st.session_state[REGENERATED] = f"{name} has a new key: reveal it to copy it."
        st.rerun()
    if REGENERATED in st.session_state:
        st.success(st.session_state.pop(REGENERATED), icon=":material/key:")


def delete_controls(name: str) -> None:
    sure = st.checkbox(f"Delete {name} for good", key=f"deploy_delete_confirm_{name}")
    if st.button(
        f"Delete {name}", key="deploy_delete", icon=":material/delete:", disabled=not sure
    ):
        with st.spinner(f"Deleting {name}…"):
            backend.delete_endpoint(name)
        st.session_state.pop(REVEALED, None)
        cost_notice.refresh()
        st.rerun()


# 3. Endpoints
st.subheader("3 · Endpoints")
endpoints = backend.list_endpoints()
if not endpoints:
    st.info("No endpoint yet.")
    st.stop()
starters = started_by("deploy")
rows = [
    {**row, "started by": starters.get(e.name, "")}
    for row, e in zip(endpoint_rows(endpoints), endpoints, strict=True)
]
st.dataframe(pd.DataFrame(rows), hide_index=True, key="deploy_endpoints_table")
selected = st.selectbox(
    "Endpoint", endpoints, format_func=lambda e: f"{e.name} ({e.status})", key="deploy_endpoint"
)
st.markdown("**Scoring URI**")
st.code(selected.scoring_uri or "(not listening yet)", language=None)
if selected.status == "running":
    if is_operator():
        key_controls(selected.name)
    if st.button("Chat with it", key="deploy_chat", icon=":material/chat:"):
        st.session_state[state.CHAT_ENDPOINT] = selected.name
        st.switch_page("pages/chat.py")
if is_operator():
    delete_controls(selected.name)
