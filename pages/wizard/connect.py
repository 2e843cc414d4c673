"""Step 1: choose the backend; for Azure, connect to a workspace."""

from __future__ import annotations

import streamlit as st

from pages.shared import listings, state
from pages.shared.backend import connected_backend
from pages.shared.errors import show_error
from services.config import studio_home
from services.errors import StudioError
from services.wizard import WizardChoices

AZURE_FIELDS = (
    ("subscription_id", "Subscription ID"),
    ("resource_group", "Resource group"),
    ("workspace_name", "Workspace name"),
)


def render(choices: WizardChoices) -> bool:
    """Nothing to record: the backend lives in session state (pages/shared/backend.py)."""
    choice = st.radio(
        "Where should the fine-tune run?",
        ["local", "azure"],
        format_func={
            "local": "This machine (local backend, offline)",
            "azure": "Azure Machine Learning",
        }.get,
        key="setup_backend_choice",
        index=["local", "azure"].index(st.session_state.get(state.BACKEND, "local")),
    )
    if choice == "local":
        _use_backend("local")
        st.success(
            f"Local backend: jobs, the MLflow store and endpoints live in `{studio_home()}`."
        )
        return True
    return _connect_azure()


def _use_backend(name: str) -> None:
    if st.session_state.get(state.BACKEND) != name:
        st.session_state[state.BACKEND] = name
        listings.clear()


def _connect_azure() -> bool:
    from services.backends.azure import AzureBackend, find_azure_config

    configured = find_azure_config() or {}
    st.caption(
        "Filled from config.json or AZURE_SUBSCRIPTION_ID / AZURE_RESOURCE_GROUP / "
        "AZUREML_WORKSPACE_NAME when present. Sign-in: `az login` (DefaultAzureCredential), "
        "then an interactive browser login."
    )
    with st.form("setup_azure_form"):
        values = {
            name: st.text_input(label, value=configured.get(name, ""), key=f"setup_azure_{name}")
            for name, label in AZURE_FIELDS
        }
        submitted = st.form_submit_button("Connect", type="primary")
    if submitted:
        missing = [label for name, label in AZURE_FIELDS if not values[name].strip()]
        if missing:
            st.error(f"Fill in: {', '.join(missing)}.")
            return False
        st.session_state[state.AZURE_OPTIONS] = {k: v.strip() for k, v in values.items()}
        _use_backend("azure")
    if st.session_state.get(state.BACKEND) != "azure":
        st.info("Connect to a workspace to go on.")
        return False
    try:
        azure = connected_backend()
    except StudioError as error:
        show_error(error)
        return False
    if isinstance(azure, AzureBackend):
        st.success(f"Connected to Azure ML {azure.connection.describe()}.")
    return True
