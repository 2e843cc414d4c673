"""Submit the guide's fine-tuning pipeline (step 5-6): chat_completion_pipeline from the registry.

The component has ~69 inputs and rejects names it does not know (model tags now carry
learning_rate_min/max, for one), so parameters are filtered against component.inputs first.
"""

from __future__ import annotations

import logging
from typing import Any

from services.backends.azure.connection import REGISTRY_NAME, AzureClients, service_error, short
from services.backends.azure.jobs import MODEL_ID_TAG, MODEL_TAG, to_job_info
from services.backends.azure.models import model_name_from_id
from services.backends.base import JobInfo, JobSpec
from services.errors import AzureError, JobError
from services.params import wire_value
from services.tracking import experiment_name

log = logging.getLogger(__name__)

COMPONENT_NAME = "chat_completion_pipeline"
# Inputs the submission sets itself; a parameter of the same name must not override them.
SET_BY_SUBMISSION = (
    "mlflow_model_path",
    "compute_model_import",
    "compute_preprocess",
    "compute_finetune",
    "compute_model_evaluation",
    "train_file_path",
    "test_file_path",
    "number_of_gpu_to_use_finetuning",
)
OUTPUT_NAME = "trained_model"


def get_component(clients: AzureClients) -> Any:
    """The latest chat_completion_pipeline of the azureml registry."""
    try:
        return clients.registry.components.get(name=COMPONENT_NAME, label="latest")
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"component '{COMPONENT_NAME}'") or AzureError(
            f"Cannot read component '{COMPONENT_NAME}' from registry '{REGISTRY_NAME}': "
            f"{short(error)}",
            "Check the network and your sign-in, then retry.",
        ) from error


def _as_input_type(value: Any, input_type: str) -> Any:
    """Match the component's declared type ("true" strings, integer stages, ...): the one place
    where the Azure backend turns typed parameters into the component's wire format."""
    input_type = (input_type or "").lower()
    if input_type == "string":
        return wire_value(value)
    if input_type == "integer":
        return int(value)
    if input_type == "number":
        return float(value)
    if input_type == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    return value


def filter_params(component: Any, params: dict) -> tuple[dict, list[str]]:
    """(accepted, dropped): keep only parameters the component declares as inputs."""
    inputs = component.inputs or {}
    accepted: dict[str, Any] = {}
    dropped: list[str] = []
    for name, value in params.items():
        if name in inputs and name not in SET_BY_SUBMISSION and value is not None:
            accepted[name] = _as_input_type(value, getattr(inputs[name], "type", ""))
        else:
            dropped.append(name)
    return accepted, sorted(dropped)


def submit_job(clients: AzureClients, spec: JobSpec) -> JobInfo:
    """Build the guide's @pipeline around the registry component and submit it."""
    from azure.ai.ml import Input
    from azure.ai.ml.dsl import pipeline

    if spec.gpus < 1:
        raise JobError(
            "Azure fine-tuning needs GPU compute (gpus per node is 0).",
            "Run the compute check and pick a GPU cluster.",
        )
    component = get_component(clients)
    model_name = model_name_from_id(spec.model_id)
    params, dropped = filter_params(component, spec.params)
    if dropped:
        log.info("not passed to %s (unknown to the component): %s", COMPONENT_NAME, dropped)

    @pipeline(name=spec.display_name, display_name=spec.display_name)
    def create_pipeline() -> dict:
        chat_completion = component(
            mlflow_model_path=spec.model_id,
            compute_model_import=spec.compute,
            compute_preprocess=spec.compute,
            compute_finetune=spec.compute,
            compute_model_evaluation=spec.compute,
            train_file_path=Input(type="uri_file", path=spec.train_file),
            test_file_path=Input(type="uri_file", path=spec.test_file),
            number_of_gpu_to_use_finetuning=spec.gpus,
            **params,
        )
        # The fine-tuned model becomes the pipeline's output, so it can be registered.
        return {OUTPUT_NAME: chat_completion.outputs.mlflow_model_folder}

    job = create_pipeline()
    job.settings.force_rerun = True  # never reuse cached results of an earlier run
    job.settings.continue_on_step_failure = False
    job.tags = {MODEL_TAG: model_name, MODEL_ID_TAG: spec.model_id}
    experiment = spec.experiment_name or experiment_name(model_name)
    try:
        created = clients.workspace.jobs.create_or_update(job, experiment_name=experiment)
    except Exception as error:  # noqa: BLE001
        raise JobError(
            f"Azure ML refused the fine-tuning job: {short(error)}",
            "Check the compute name, the data files and the parameters on the review step.",
        ) from error
    return to_job_info(created)
