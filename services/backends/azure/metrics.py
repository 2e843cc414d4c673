"""Training metrics of an Azure ML job through MLflow at the workspace's tracking URI.

The finetune step logs the Hugging Face Trainer's keys (loss, learning_rate, grad_norm, epoch,
eval_loss, train_loss, train_runtime, ...) at the root pipeline run, whose MLflow run id is the
job name. services.tracking reads them, the same reader the local backend uses.

The store is azureml-mlflow's AzureMLRestStore for the workspace's azureml:// tracking URI,
built once per connection and signed in with that connection's credential. MLflow's own
lookup (MlflowClient(tracking_uri=...)) is not used: it caches one store per URI for the whole
process, and azureml-mlflow caches one DefaultAzureCredential per URI, so after reconnecting
with another credential (or in another browser session) metrics would be read as someone else.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from services.backends.azure import logs
from services.backends.azure.connection import AzureClients, short
from services.errors import AzureError

log = logging.getLogger(__name__)

# The public Azure cloud (management.azure.com), the one the MLClients talk to. Named so that
# azureml-mlflow does not look its cloud up over the network.
AZURE_CLOUD = "AzureCloud"


def mlflow_store(clients: AzureClients) -> Any:
    """This connection's MLflow tracking store (get_run, get_metric_history, ...)."""
    if clients.mlflow_store is not None:
        return clients.mlflow_store
    uri = clients.mlflow_tracking_uri
    if not uri.startswith("azureml://"):
        raise AzureError(
            f"The workspace reports no azureml:// MLflow tracking URI ({uri or 'none'}).",
            "Check the workspace in Azure ML studio (Jobs > Metrics), then reconnect.",
        )
    try:
        from azureml.mlflow._common._cloud.cloud import KNOWN_CLOUDS
        from azureml.mlflow._internal.utils import ServiceContext
        from azureml.mlflow._store.tracking.store import AzureMLRestStore
    except ImportError as error:
        raise AzureError(
            f"Cannot read Azure ML metrics: {error}.",
            "Install azureml-mlflow (pip install -r requirements.txt) and restart the studio.",
        ) from error
    ref = clients.ref
    context = ServiceContext(
        host_url=f"https://{urlsplit(uri).netloc}",
        subscription_id=ref.subscription_id,
        workspace_name=ref.workspace_name,
        resource_group_name=ref.resource_group,
        auth=clients.credential,
        location=clients.location,
        cloud=KNOWN_CLOUDS[AZURE_CLOUD],
    )
    clients.mlflow_store = AzureMLRestStore(context)
    return clients.mlflow_store


def get_metrics(clients: AzureClients, job_id: str) -> dict[str, list[tuple[int, float]]]:
    """Each metric's (step, value) history; {} while the job has logged nothing."""
    from services import tracking

    store = mlflow_store(clients)
    try:
        # The store answers get_run and get_metric_history as MlflowClient does.
        histories = tracking.metric_histories(store, job_id)
        if histories:
            return histories
        # Older component versions log on the finetune step's run instead of the root.
        for step in logs.steps(clients, job_id):
            histories = tracking.metric_histories(store, step.name)
            if "loss" in histories or "train_loss" in histories:
                return histories
    except Exception as error:  # noqa: BLE001
        if "RESOURCE_DOES_NOT_EXIST" in str(error) or "not found" in str(error).lower():
            return {}  # the run is not in MLflow yet (queued job)
        raise AzureError(
            f"Cannot read the metrics of job '{job_id}': {short(error)}",
            "Check the network and your sign-in, then retry.",
        ) from error
    return {}
