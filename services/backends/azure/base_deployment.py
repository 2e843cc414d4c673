"""The base model of a fine-tune, served from the `azureml` registry as its own endpoint.

Evaluation on Azure compares two deployments: the tuned model's, and the base model deployed
straight from the registry (model=azureml://registries/azureml/models/<name>/versions/<v>),
on an instance type its inference_compute_allow_list allows. It bills by the hour, so the
studio first offers it with its price (`offer`), and deletes it when the evaluation is done.
"""

from __future__ import annotations

import logging
import re
import time

from services.backends.azure import endpoints, models
from services.backends.azure.connection import AzureClients
from services.backends.base import DeploymentOffer, EndpointInfo
from services.errors import ValidationError

log = logging.getLogger(__name__)

BASE_TAG = "studio.base_model_for_evaluation"  # on the endpoint: which registry model it serves


def offer(clients: AzureClients, model_id: str, instance_type: str = "") -> DeploymentOffer:
    """What deploying the base model would take: the version, the instance type, the price."""
    model = models.get_model(clients, model_id)
    allowed = list(model.inference_compute_allow_list)
    chosen = instance_type or (allowed[0] if allowed else endpoints.DEFAULT_INSTANCE_TYPE)
    if allowed and chosen.lower() not in [size.lower() for size in allowed]:
        raise ValidationError(
            f"Instance type {chosen} is not in {model.name}'s allow-listed computes for inference.",
            f"Pick one of: {', '.join(allowed)}.",
        )
    price = endpoints._prices(clients).get(chosen.lower())
    return DeploymentOffer(model.id, model.name, chosen, price)


def endpoint_name(model_name: str) -> str:
    """A valid endpoint name (letters, digits, '-'; up to 32 characters), unique by the time."""
    stem = re.sub(r"[^a-z0-9-]+", "-", model_name.lower()).strip("-")[:16].strip("-")
    return f"base-{stem or 'model'}-{int(time.time())}"


def deploy(
    clients: AzureClients,
    chosen: DeploymentOffer,
    *,
    name: str | None = None,
    on_progress=None,
) -> EndpointInfo:
    """Serve the offered registry model as its own managed online endpoint; waits until ready."""
    progress = on_progress or (lambda message: log.info("%s", message))
    return endpoints.serve_model(
        clients,
        chosen.model_id,
        chosen.model_id,
        name=name or endpoint_name(chosen.model_name),
        description=f"{chosen.model_name} from the azureml registry, the base model of an "
        "evaluation (deleted when it ends)",
        instance_type=chosen.instance_type,
        progress=progress,
        tags={BASE_TAG: chosen.model_id},
    )
