"""The wizard's steps, in order: each draws itself over the one WizardChoices of a run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pages.wizard import compute, connect, data, model, parameters, review
from services.wizard import WizardChoices


@dataclass(frozen=True)
class Step:
    title: str
    draw: Callable[[WizardChoices], bool]  # draws, records the choice; whether it is valid
    why_not: str = ""  # under a disabled Next while the step is invalid
    kept: tuple[str, ...] = ()  # widget keys (or key prefixes) to keep while not drawn


STEPS = (
    Step("Connect", connect.render, "Connect to a backend to go on.", ("setup_backend_choice",)),
    Step(
        "Model",
        model.render,
        "Pick a current model to go on.",
        ("setup_model_id", "setup_model_name"),
    ),
    Step(
        "Compute",
        compute.render,
        "The compute check must pass to go on.",
        ("setup_compute", "setup_gpus", "setup_batch", "setup_seq"),
    ),
    Step("Data", data.render, "Choose prepared data to go on.", ("setup_dataset",)),
    Step("Parameters", parameters.render, "Fix the parameters to go on.", ("setup_param_",)),
    Step("Review", review.render),
)
KEPT_KEYS = tuple(key for step in STEPS for key in step.kept)
