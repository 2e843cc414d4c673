"""Step 4: pick the prepared training and validation data."""

from __future__ import annotations

import streamlit as st

from pages.shared import state
from pages.shared.signin import is_operator
from services.data.prepared import list_prepared, prepare_demo
from services.wizard import WizardChoices


def render(choices: WizardChoices) -> bool:
    """Records the train and test files; False while no data is chosen."""
    prepared = {str(p.folder): p for p in list_prepared()}
    if is_operator() and st.button("Prepare the bundled demo data", key="setup_data_demo"):
        with st.spinner("Writing the demo splits…"):
            demo = prepare_demo()
        st.session_state["setup_dataset"] = str(demo.folder)
        st.rerun()
    if not prepared:
        st.info(
            "No prepared data yet: prepare the demo data, or prepare a file on the Dataset page."
        )
        return False
    default = st.session_state.get(state.PREPARED_DATASET)
    if "setup_dataset" not in st.session_state and default in prepared:
        st.session_state["setup_dataset"] = default
    folder = st.selectbox(
        "Prepared dataset",
        list(prepared),
        format_func=lambda f: prepared[f].name,
        key="setup_dataset",
    )
    dataset = prepared[folder]
    st.dataframe(
        [{"split": name, "rows": rows} for name, rows in dataset.rows.items()],
        hide_index=True,
    )
    st.caption(f"Train: `{dataset.train_file}` · Validation: `{dataset.test_file}`")
    choices.train_file, choices.test_file = str(dataset.train_file), str(dataset.test_file)
    return True
