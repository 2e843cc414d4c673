"""Training metrics of an Azure ML job through MLflow at the workspace's tracking URI.

The finetune step logs the Hugging Face Trainer's keys (loss, learning_rate, grad_norm, epoch,
eval_loss, train_loss, train_runtime, ...) at the root pipeline run, whose MLflow run id is the
job name. services.tracking reads them, the same reader the local backend uses.
"""

from __future__ import annotations

import logging

from services.backends.azure import logs
from services.backends.azure.connection import AzureClients, short
from services.errors import AzureError

log = logging.getLogger(__name__)


def mlflow_client(clients: AzureClients):
    from mlflow.tracking import MlflowClient

    if not clients.mlflow_tracking_uri:
        raise AzureError(
            "The workspace reports no MLflow tracking URI.",
            "Install azureml-mlflow (pip install -r requirements.txt) and reconnect.",
        )
    return MlflowClient(tracking_uri=clients.mlflow_tracking_uri)


def get_metrics(clients: AzureClients, job_id: str) -> dict[str, list[tuple[int, float]]]:
    """Each metric's (step, value) history; {} while the job has logged nothing."""
    from services import tracking

    client = mlflow_client(clients)
    try:
        histories = tracking.metric_histories(client, job_id)
        if histories:
            return histories
        # Older component versions log on the finetune step's run instead of the root.
        for step in logs.steps(clients, job_id):
            histories = tracking.metric_histories(client, step.name)
            if "loss" in histories or "train_loss" in histories:
                return histories
    except Exception as error:  # noqa: BLE001
        if "RESOURCE_DOES_NOT_EXIST" in str(error) or "not found" in str(error).lower():
            return {}  # the run is not in MLflow yet (queued job)
        raise AzureError(
            f"Cannot read the metrics of job '{job_id}': {short(error)}",
            "Check the network and that azureml-mlflow is installed, then retry.",
        ) from error
    return {}
