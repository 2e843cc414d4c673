"""Step 5: the fine-tune parameters: layered defaults, your changes, validated."""

from __future__ import annotations

import streamlit as st

from pages.shared.backend import backend_name
from pages.shared.errors import show_error
from services.errors import ValidationError
from services.params import SCHEDULERS, FinetuneParams, resolve_params, wire_value
from services.wizard import WizardChoices

# The parameters most people change, in reading order; the rest keep their defaults.
EDITABLE = (
    "num_train_epochs",
    "max_steps",
    "gradient_accumulation_steps",
    "learning_rate",
    "lr_scheduler_type",
    "apply_lora",
    "lora_r",
    "lora_alpha",
    "lora_dropout",
    "eval_steps",
    "seed",
)


def render(choices: WizardChoices) -> bool:
    """Records the resolved parameters; False while any value is refused."""
    compute_choices = {
        "per_device_train_batch_size": choices.batch_size,
        "max_seq_length": choices.max_seq_length,
    }
    defaults = _resolve(choices, compute_choices)
    overrides = dict(compute_choices)
    columns = st.columns(3)
    for index, name in enumerate(n for n in EDITABLE if n in defaults.values):
        with columns[index % 3]:
            value = _input(name, defaults.values[name])
        if value != defaults.values[name]:
            overrides[name] = value
    try:
        params = _resolve(choices, overrides)
    except ValidationError as error:
        show_error(error)
        return False
    st.markdown(f"**Run name:** `{params.display_name}`")
    with st.expander("All parameters and where each value comes from"):
        st.dataframe(
            [
                {"parameter": k, "value": wire_value(v), "from": params.sources[k]}
                for k, v in sorted(params.values.items())
            ],
            hide_index=True,
        )
    choices.params = params
    return True


def _resolve(choices: WizardChoices, overrides: dict) -> FinetuneParams:
    model = choices.chosen_model()
    return resolve_params(
        backend=backend_name(),
        model_name=model.name,
        gpus=choices.gpus(),
        model_defaults=model.model_specific_defaults,
        overrides=overrides,
    )


def _input(name: str, default):
    key = f"setup_param_{name}"
    if name == "lr_scheduler_type":
        return st.selectbox(name, SCHEDULERS, index=SCHEDULERS.index(default), key=key)
    if name == "apply_lora":
        return st.toggle("apply_lora (LoRA)", value=bool(default), key=key)
    if isinstance(default, float):
        return st.number_input(name, value=float(default), format="%.2e", key=key)
    return st.number_input(name, value=int(default), step=1, key=key)
