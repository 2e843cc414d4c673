"""The wizard's steps, in order: each draws itself over the one WizardChoices of a run.

A step's module is imported when the step is first drawn, not with this list: Data and Review
read datasets (numpy and the dataset readers, ~0.25 s in a cold process), which the first
screen, Connect, does not need; the Setup page is the app's first paint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from services.wizard import WizardChoices


@dataclass(frozen=True)
class Step:
    title: str
    module: str  # pages/wizard/<module>.py, whose render() draws the step
    why_not: str = ""  # under a disabled Next while the step is invalid
    kept: tuple[str, ...] = ()  # widget keys (or key prefixes) to keep while not drawn

    def draw(self, choices: WizardChoices) -> bool:
        """Draw the step and record its choice; whether it is valid."""
        render: Callable[[WizardChoices], bool] = importlib.import_module(
            f"pages.wizard.{self.module}"
        ).render
        return render(choices)


STEPS = (
    Step("Connect", "connect", "Connect to a backend to go on.", ("setup_backend_choice",)),
    Step(
        "Model",
        "model",
        "Pick a current model to go on.",
        ("setup_model_id", "setup_model_name"),
    ),
    Step(
        "Compute",
        "compute",
        "The compute check must pass to go on.",
        ("setup_compute", "setup_gpus", "setup_batch", "setup_seq"),
    ),
    Step("Data", "data", "Choose prepared data to go on.", ("setup_dataset",)),
    Step("Parameters", "parameters", "Fix the parameters to go on.", ("setup_param_",)),
    Step("Review", "review"),
)
KEPT_KEYS = tuple(key for step in STEPS for key in step.kept)
