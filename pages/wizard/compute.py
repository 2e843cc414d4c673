"""Step 3: pick where to train, how many GPUs, and the batch shape; refuse what cannot run."""

from __future__ import annotations

import streamlit as st

from pages.shared import listings
from pages.shared.backend import current_backend
from pages.shared.errors import show_error
from pages.shared.signin import is_operator
from services.backends.base import ComputeCheck, ComputeInfo
from services.errors import StudioError
from services.wizard import WizardChoices


def render(choices: WizardChoices) -> bool:
    """Records the compute, batch shape and passed check; False while the check refuses."""
    by_name = {compute.name: compute for compute in listings.list_computes()}
    _create_cluster_form()
    if not by_name:
        st.warning("No compute found: create a cluster first.")
        return False
    name = st.selectbox(
        "Compute", list(by_name), format_func=lambda n: _label(by_name[n]), key="setup_compute"
    )
    gpus = _shape_inputs(by_name[name], choices)
    choices.compute = name
    try:
        check = current_backend().check_compute(
            choices.chosen_model(),
            name,
            gpus=gpus,
            batch_size=choices.batch_size,
            max_seq_length=choices.max_seq_length,
        )
    except StudioError as error:
        show_error(error)
        return False
    _show_check(check)
    choices.check = check if check.ok else None
    return check.ok


def _shape_inputs(compute: ComputeInfo, choices: WizardChoices) -> int:
    """GPUs, batch size and sequence length; records the batch shape, returns the GPUs asked."""
    left, middle, right = st.columns(3)
    gpus = left.number_input(
        "GPUs (0 = CPU)", min_value=0, max_value=64, step=1, key="setup_gpus", value=compute.gpus
    )
    batch = middle.number_input(
        "Batch size per device", min_value=1, max_value=1024, value=1, key="setup_batch"
    )
    seq = right.number_input(
        "Max sequence length", min_value=16, max_value=131072, value=512, step=64, key="setup_seq"
    )
    choices.batch_size, choices.max_seq_length = int(batch), int(seq)
    return int(gpus)


def _label(compute: ComputeInfo) -> str:
    parts = [compute.name, compute.description or compute.size]
    if compute.memory_gb:
        parts.append(f"{compute.memory_gb:.0f} GB")
    if compute.hourly_price:
        parts.append(f"${compute.hourly_price:.2f}/h")
    return " · ".join(p for p in parts if p)


def _show_check(check: ComputeCheck) -> None:
    if check.required_memory_gb is not None and check.available_memory_gb is not None:
        left, right = st.columns(2)
        left.metric("Estimated memory needed", f"{check.required_memory_gb:.1f} GB")
        right.metric("Memory available", f"{check.available_memory_gb:.1f} GB")
    if check.ok:
        st.success(f"This compute can run the job ({check.gpus or 'no'} GPUs).")
    else:
        for reason in check.reasons:
            st.error(reason)
    for hint in check.hints:
        st.info(hint)
    if check.hourly_price:
        st.metric("Price per node-hour", f"${check.hourly_price:.2f}")
    if check.quota:
        st.caption("GPU quota in the workspace's region")
        st.dataframe(check.quota, hide_index=True)
    if check.details:
        with st.expander("Details"):
            st.json(check.details)


def _create_cluster_form() -> None:
    backend = current_backend()
    if not backend.capabilities.create_compute or not is_operator():
        return
    with st.expander("Create a compute cluster"), st.form("setup_cluster_form"):
        name = st.text_input("Cluster name", key="setup_cluster_name")
        size = st.text_input("VM size", value="Standard_NC24ads_A100_v4", key="setup_cluster_size")
        low, high = st.columns(2)
        min_nodes = low.number_input("Min nodes", 0, 100, 0, key="setup_cluster_min")
        max_nodes = high.number_input("Max nodes", 1, 100, 1, key="setup_cluster_max")
        tier = st.radio(
            "Tier", ["dedicated", "low_priority"], key="setup_cluster_tier", horizontal=True
        )
        if st.form_submit_button("Create cluster") and name:
            try:
                with st.spinner(f"Creating {name}…"):
                    backend.create_compute(name, size, int(min_nodes), int(max_nodes), tier)
            except StudioError as error:
                show_error(error)
                return
            listings.clear()
            st.success(f"Cluster {name} created.")
