"""Step 2: pick the chat model to fine-tune."""

from __future__ import annotations

import streamlit as st

from pages.shared import listings
from pages.shared.backend import current_backend
from pages.shared.errors import show_error
from pages.shared.signin import is_operator
from services.backends.base import ModelInfo
from services.errors import StudioError
from services.wizard import WizardChoices


def render(choices: WizardChoices) -> bool:
    choices.model = _pick()
    return choices.model is not None


def _pick() -> ModelInfo | None:
    models = listings.list_models()
    by_id = {model.id: model for model in models}
    model_id = st.selectbox(
        "Model",
        list(by_id),
        format_func=lambda i: _label(by_id[i]),
        key="setup_model_id",
    )
    typed = ""
    if is_operator():  # a typed name may be a server path (services refuse a viewer too)
        typed = st.text_input(
            "…or get a model by name",
            key="setup_model_name",
            placeholder="a registry model name (latest version), a hub id or a folder path",
        ).strip()
    if typed:
        try:
            model = current_backend().get_model(typed)
        except StudioError as error:
            show_error(error)
            return None
    elif model_id is None:
        st.warning("No models found: get one by name.")
        return None
    else:
        model = by_id[model_id]
    _show_details(model)
    if current_backend().capabilities.add_model_folder and is_operator():
        _add_folder_form()
    if model.archived:
        st.error("This model is archived or deprecated in the registry: pick a current model.")
        return None
    return model


def _label(model: ModelInfo) -> str:
    flag = " (archived)" if model.archived else ""
    return f"{model.name} · {model.source}{flag}"


def _show_details(model: ModelInfo) -> None:
    columns = st.columns(4)
    columns[0].metric("Parameters", _human(model.parameters))
    columns[1].metric(
        "Context length", f"{model.context_length:,}" if model.context_length else "?"
    )
    template = {True: "yes", False: "no", None: "?"}[model.has_chat_template]
    columns[2].metric("Chat template", template)
    columns[3].metric("Version", model.version or "-")
    st.caption(f"id: `{model.id}`")
    if model.has_chat_template is False:
        st.warning("No chat template: conversations will be formatted with a generic template.")


def _human(count: int | None) -> str:
    if not count:
        return "?"
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if count >= size:
            return f"{count / size:.1f}{unit}"
    return str(count)


def _add_folder_form() -> None:
    with st.expander("Add a Hugging Face model folder from disk"):
        path = st.text_input("Folder path", key="setup_model_folder")
        if st.button("Add folder", key="setup_model_add") and path:
            try:
                added = current_backend().add_model_folder(path)
            except StudioError as error:
                show_error(error)
                return
            listings.clear()
            st.session_state["setup_model_id"] = added.id
            st.rerun()
