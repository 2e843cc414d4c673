"""The Setup wizard's steps and what a finished wizard submits (no UI here)."""

from __future__ import annotations

from services.backends.base import JobSpec, ModelInfo
from services.params import FinetuneParams

STEPS = ("Connect", "Model", "Compute", "Data", "Parameters", "Review")


def experiment_name(model: ModelInfo) -> str:
    """The guide's experiment name: chat_completion_<model>."""
    return f"chat_completion_{model.name}"


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
        experiment_name=experiment_name(model),
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
    rows += [(name, str(value)) for name, value in sorted(spec.params.items())]
    return rows
