"""What the Setup wizard gathers and what a finished wizard submits (no UI here).

The steps themselves are pages/wizard/steps.py; each fills its part of one WizardChoices.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.backends.base import Backend, ComputeCheck, JobSpec, ModelInfo
from services.params import FinetuneParams, wire_value
from services.tracking import experiment_name

# What the Compute step starts with when the parameters name no max_seq_length (Azure's).
DEFAULT_MAX_SEQ_LENGTH = 512


class StepNotDone(RuntimeError):
    """A step read a choice that an earlier step has not made (a bug in the step order)."""


@dataclass
class WizardChoices:
    """Everything the wizard's steps have chosen so far, in step order; rebuilt on every run."""

    model: ModelInfo | None = None
    compute: str = ""  # the compute's name
    check: ComputeCheck | None = None  # the compute check, passed
    batch_size: int = 1
    max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH
    train_file: str = ""
    test_file: str = ""
    params: FinetuneParams | None = None

    def chosen_model(self) -> ModelInfo:
        if self.model is None:
            raise StepNotDone("no model chosen yet")
        return self.model

    def gpus(self) -> int:
        if self.check is None:
            raise StepNotDone("no compute checked yet")
        return self.check.gpus

    def job_spec(self) -> JobSpec:
        """The submission, once every step before Review is done."""
        if self.params is None or not self.train_file:
            raise StepNotDone("parameters or data not chosen yet")
        return build_job_spec(
            model=self.chosen_model(),
            compute=self.compute,
            gpus=self.gpus(),
            train_file=self.train_file,
            test_file=self.test_file,
            params=self.params,
        )


def build_job_spec(
    *,
    model: ModelInfo,
    compute: str,
    gpus: int,
    train_file: str,
    test_file: str,
    params: FinetuneParams,
) -> JobSpec:
    """Everything the review step shows and the backend submits."""
    return JobSpec(
        model_id=model.id,
        train_file=train_file,
        test_file=test_file,
        compute=compute,
        gpus=gpus,
        params=dict(params.values),
        display_name=params.display_name,
        experiment_name=experiment_name(model.name),
    )


def check_compute(
    backend: Backend, model: ModelInfo, *, compute: str, gpus: int, params: FinetuneParams
) -> ComputeCheck:
    """The Compute step's check (GPUs, sequence length, memory fit) for the final parameters.

    The command line runs it before every submission, so `train` refuses what the wizard
    refuses.
    """
    values = params.values
    return backend.check_compute(
        model,
        compute,
        gpus=gpus,
        batch_size=int(values.get("per_device_train_batch_size", 1)),
        max_seq_length=int(values.get("max_seq_length", DEFAULT_MAX_SEQ_LENGTH)),
        apply_lora=bool(values.get("apply_lora", True)),
    )


def review_rows(spec: JobSpec, model: ModelInfo) -> list[tuple[str, str]]:
    """The submission as (field, value) rows, in the order a person reads a job."""
    rows = [
        ("Display name", spec.display_name),
        ("Experiment", spec.experiment_name),
        ("Model", f"{model.name} {model.version}".strip()),
        ("Model id", spec.model_id),
        ("Compute", spec.compute),
        ("GPUs", str(spec.gpus) if spec.gpus else "0 (CPU)"),
        ("Training data", spec.train_file),
        ("Validation data", spec.test_file),
    ]
    rows += [(name, wire_value(value)) for name, value in sorted(spec.params.items())]
    return rows
