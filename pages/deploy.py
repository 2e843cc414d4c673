"""Deploy page: a finished job → a registered model version → an endpoint you can chat with.

Keys are secrets: shown masked; revealed (st.code gives a copy button) only after a confirm,
and each reveal goes in the audit log. Regenerating a key and deleting an endpoint ask first.
What can be registered and deployed, and how, is services/serving/deploying.py.
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
from services.backends.base import EndpointInfo, JobInfo, RegisteredModel
from services.chat.client import mask_key
from services.errors import StudioError
from services.security.endpoint_keys import reveal_key
from services.serving import deploying
from services.serving.local_registry import default_model_name

ensure_app_navigation()

REVEALED = "deploy_revealed"  # (endpoint, key) the person chose to see: one at a time
REGENERATED = "deploy_regenerated"  # the message shown after the rerun that follows it
DEPLOYED = "deploy_just_deployed"  # the message shown after the rerun that follows a deploy
JUST_REGISTERED = "deploy_just_registered"  # (name, version) to preselect for deploying


def register_section() -> None:
    with st.spinner("Reading jobs…"):  # files only, unless a job predates status.json
        choices = deploying.registrable_jobs(backend)
    if not choices:
        st.info("No finished job yet: fine-tune a model on the Setup page, follow it on Jobs.")
        return
    job = st.selectbox(
        "Finished job",
        list(choices),
        format_func=lambda j: f"{j.display_name or j.id} ({j.id}, {j.status})",
        key="deploy_job",
    )
    checkpoint = st.selectbox(
        "What to register",
        choices[job],
        format_func=deploying.checkpoint_label,
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
        register(job, name, checkpoint)


def register(job: JobInfo, name: str, checkpoint: int | None) -> None:
    try:
        with st.spinner("Registering…"):
            model = backend.register_model(job.id, name, checkpoint=checkpoint)
    except StudioError as error:
        show_error(error)
        return
    st.session_state[JUST_REGISTERED] = (model.name, model.version)
    st.success(f"Registered **{model.name}** version {model.version}.")


def registered_versions() -> None:
    with st.spinner("Reading registered models…"):
        versions = backend.list_registered_models()
    if not versions:
        st.info("No registered model yet: register a finished job above.")
        return
    rows = deploying.version_rows(versions)
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="deploy_versions_table")
    if is_operator():
        deploy_controls(versions)


def deploy_controls(versions: list[RegisteredModel]) -> None:
    if JUST_REGISTERED in st.session_state:  # offer the version just registered, not the old one
        just = deploying.find_version(versions, st.session_state.pop(JUST_REGISTERED))
        if just:
            st.session_state["deploy_version"] = just
    chosen = st.selectbox(
        "Version to deploy", versions, format_func=deploying.version_label, key="deploy_version"
    )
    deploy_col, base_col = st.columns(2)
    deploy_clicked = deploy_col.button(
        "Deploy", type="primary", key="deploy_deploy", icon=":material/rocket_launch:"
    )
    base_clicked = deploying.can_deploy_base(backend, chosen) and base_col.button(
        "Deploy its base model too (for comparison)", key="deploy_base"
    )
    if deploy_clicked or base_clicked:
        deploy(chosen, base=base_clicked)
    if DEPLOYED in st.session_state:
        st.success(st.session_state.pop(DEPLOYED), icon=":material/rocket_launch:")


def deploy(version: RegisteredModel, *, base: bool) -> None:
    what = deploying.deploy_target(version, base=base)
    with st.status(f"Deploying {what}…", expanded=True) as progress:
        try:
            endpoint = deploying.deploy_version(backend, version, base=base, on_progress=st.write)
        except StudioError as error:
            show_error(error)
            progress.update(label="Deployment failed", state="error")
            st.stop()
    # Rerun so the sidebar's cost notice (drawn before this page) lists the new endpoint.
    st.session_state[DEPLOYED] = f"{endpoint.name} is {endpoint.status}."
    cost_notice.refresh()
    st.rerun()


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
    regenerate_controls(name)


def regenerate_controls(name: str) -> None:
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
        try:
            with st.spinner(f"Deleting {name}…"):
                backend.delete_endpoint(name)
        except StudioError as error:
            show_error(error)
            return
        st.session_state.pop(REVEALED, None)
        cost_notice.refresh()
        st.rerun()


def endpoint_controls(endpoint: EndpointInfo) -> None:
    """The selected endpoint: its URI, key and chat button while it runs, and delete."""
    st.markdown("**Scoring URI**")
    st.code(endpoint.scoring_uri or "(not listening yet)", language=None)
    if endpoint.status == "running":
        if is_operator():
            key_controls(endpoint.name)
        if st.button("Chat with it", key="deploy_chat", icon=":material/chat:"):
            st.session_state[state.CHAT_ENDPOINT] = endpoint.name
            st.switch_page("pages/chat.py")
    if is_operator():
        delete_controls(endpoint.name)


def endpoints_section() -> None:
    endpoints = backend.list_endpoints()
    if not endpoints:
        st.info("No endpoint yet.")
        return
    table = pd.DataFrame(deploying.endpoint_table(endpoints))
    st.dataframe(table, hide_index=True, key="deploy_endpoints_table")
    selected = st.selectbox(
        "Endpoint", endpoints, format_func=lambda e: f"{e.name} ({e.status})", key="deploy_endpoint"
    )
    endpoint_controls(selected)


backend = current_backend()
st.title("Deploy")
st.caption("Register a finished job, deploy a version as an endpoint, then chat with it.")
st.subheader("1 · Register a finished job")
register_section()
st.subheader("2 · Deploy a registered version")
# Registered versions live in MLflow's registry: the page draws first while MLflow is cold.
draw_after_first_paint(
    "deploy",
    registered_versions,
    "Reading registered models from MLflow…",
    warm=tracking.local_client_opened(),
)
st.subheader("3 · Endpoints")
endpoints_section()
