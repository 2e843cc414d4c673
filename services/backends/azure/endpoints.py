"""Register a job's model, deploy it to a managed online endpoint, list and delete endpoints.

The guide's steps 6, 7 and 9. A running endpoint bills by the hour, so listings carry the
hourly price of the instance type when list_sizes reports one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from services.backends.azure import compute, models
from services.backends.azure.connection import AzureClients, service_error, short
from services.backends.azure.jobs import MODEL_ID_TAG, MODEL_TAG, get_azure_job, map_status
from services.backends.base import EndpointInfo, RegisteredModel, ScoringTarget
from services.errors import AzureError, EndpointError, JobError, ModelError, ValidationError
from services.status import EndpointStatus

log = logging.getLogger(__name__)

DEPLOYMENT_NAME = "demo"
DEFAULT_INSTANCE_TYPE = "Standard_NC6s_v3"
LIVENESS_INITIAL_DELAY_S = 600  # loading a multi-GB model takes minutes
REQUEST_TIMEOUT_MS = 90_000
JOB_TAG = "studio.job"
LOG_LINES_ON_FAILURE = 50

Progress = Callable[[str], None]


def _text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def register_model(clients: AzureClients, job_id: str, name: str | None = None) -> RegisteredModel:
    """The guide's Model(path=azureml://jobs/<job>/outputs/trained_model, MLFLOW_MODEL)."""
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Model

    job = get_azure_job(clients, job_id)
    status = map_status(job.status)
    if status != "finished":
        raise JobError(
            f"Job '{job_id}' is {status}: only a finished job has a trained model to register.",
            "Wait for the job to finish (Jobs page), then register it.",
        )
    tags = job.tags or {}
    base = tags.get(MODEL_TAG) or (job.display_name or job_id).split("-ultrachat")[0]
    model_name = (name or f"{base}-ultrachat-200k").replace("/", "-")
    model = Model(
        path=f"azureml://jobs/{job_id}/outputs/trained_model",
        type=AssetTypes.MLFLOW_MODEL,
        name=model_name,
        version=str(int(time.time())),  # the guide's timestamp: a new version every time
        description=f"{base} fine tuned model for ultrachat 200k chat-completion",
        tags={MODEL_TAG: base, MODEL_ID_TAG: tags.get(MODEL_ID_TAG, ""), JOB_TAG: job_id},
    )
    try:
        registered = clients.workspace.models.create_or_update(model)
    except Exception as error:  # noqa: BLE001
        raise AzureError(
            f"Cannot register the model of job '{job_id}': {short(error)}",
            "Check that the job produced the 'trained_model' output, then retry.",
        ) from error
    return RegisteredModel(
        name=registered.name,
        version=str(registered.version),
        source_job=job_id,
        uri=registered.id or "",
    )


def list_registered_models(clients: AzureClients) -> list[RegisteredModel]:
    """The workspace's models, latest version each."""
    try:
        containers = list(clients.workspace.models.list())
    except Exception as error:  # noqa: BLE001
        raise AzureError(f"Cannot list the workspace's models: {short(error)}") from error
    return [
        RegisteredModel(name=c.name, version=str(c.latest_version or ""), uri=c.id or "")
        for c in containers
    ]


def _registered(clients: AzureClients, name: str, version: str | None) -> Any:
    try:
        if version:
            return clients.workspace.models.get(name, version=version)
        return clients.workspace.models.get(name, label="latest")
    except Exception as error:  # noqa: BLE001
        raise ModelError(
            f"Registered model '{name}{':' + version if version else ''}' not found in the "
            f"workspace: {short(error)}",
            "Register a finished job first (Jobs page or `python -m services register JOB`).",
        ) from error


def check_instance_type(clients: AzureClients, registered: Any, instance_type: str) -> None:
    """The foundation model's inference_compute_allow_list, when it has one (the guide)."""
    base = (registered.tags or {}).get(MODEL_ID_TAG) or (registered.tags or {}).get(MODEL_TAG)
    if not base:
        return
    try:
        allow_list = models.get_model(clients, base).inference_compute_allow_list
    except ModelError:
        return
    if allow_list and instance_type.lower() not in [s.lower() for s in allow_list]:
        raise ValidationError(
            f"Instance type {instance_type} is not in the allow-listed computes for inference.",
            f"Pick one of: {', '.join(allow_list)}.",
        )


def _wait(poller: Any, what: str, progress: Progress) -> Any:
    """Wait on an LRO poller, reporting its status while it runs."""
    progress(f"{what}...")
    while not poller.done():
        progress(f"{what}: {poller.status()}")
        poller.wait(15)
    return poller.result()


def deploy(
    clients: AzureClients,
    model_name: str,
    version: str | None = None,
    *,
    instance_type: str = DEFAULT_INSTANCE_TYPE,
    endpoint_name: str | None = None,
    on_progress: Progress | None = None,
) -> EndpointInfo:
    """Endpoint (key auth), deployment "demo", then 100% of the traffic to it (the guide)."""
    progress = on_progress or (lambda message: log.info("%s", message))
    registered = _registered(clients, model_name, version)
    check_instance_type(clients, registered, instance_type)
    return serve_model(
        clients,
        registered.id,
        f"{registered.name}:{registered.version}",
        name=endpoint_name or f"ultrachat-completion-{int(time.time())}",
        description=f"Online endpoint for {registered.name}, fine tuned model for "
        "ultrachat-200k-chat-completion",
        instance_type=instance_type,
        progress=progress,
    )


def serve_model(
    clients: AzureClients,
    model_ref: str,
    label: str,
    *,
    name: str,
    description: str,
    instance_type: str,
    progress: Progress,
    tags: dict[str, str] | None = None,
) -> EndpointInfo:
    """A managed online endpoint (key auth) serving `model_ref` (a workspace or registry model
    asset id) as deployment "demo" with all the traffic; waits until it is ready."""
    from azure.ai.ml.entities import (
        ManagedOnlineDeployment,
        ManagedOnlineEndpoint,
        OnlineRequestSettings,
        ProbeSettings,
    )

    endpoint = ManagedOnlineEndpoint(
        name=name, description=description, auth_mode="key", tags=tags or {}
    )
    operations = clients.workspace
    try:
        _wait(
            operations.online_endpoints.begin_create_or_update(endpoint),
            f"Creating endpoint {name}",
            progress,
        )
    except Exception as error:  # noqa: BLE001
        raise EndpointError(
            f"Cannot create endpoint '{name}': {short(error)}",
            "Endpoint names are unique per region; check your quota for managed endpoints.",
        ) from error
    deployment = ManagedOnlineDeployment(
        name=DEPLOYMENT_NAME,
        endpoint_name=name,
        model=model_ref,
        instance_type=instance_type,
        instance_count=1,
        liveness_probe=ProbeSettings(initial_delay=LIVENESS_INITIAL_DELAY_S),
        request_settings=OnlineRequestSettings(request_timeout_ms=REQUEST_TIMEOUT_MS),
    )
    try:
        _wait(
            operations.online_deployments.begin_create_or_update(deployment),
            f"Creating deployment {DEPLOYMENT_NAME} ({instance_type})",
            progress,
        )
    except Exception as error:  # noqa: BLE001
        raise EndpointError(
            f"Deployment '{DEPLOYMENT_NAME}' of {label} on '{name}' failed: {short(error)}",
            "The endpoint still exists and bills: delete it, or fix and redeploy. "
            "Last container log lines:\n" + deployment_logs(clients, name),
        ) from error
    endpoint.traffic = {DEPLOYMENT_NAME: 100}
    _wait(
        operations.online_endpoints.begin_create_or_update(endpoint),
        f"Routing all traffic to {DEPLOYMENT_NAME}",
        progress,
    )
    progress(f"Endpoint {name} is ready.")
    return _endpoint_info(clients, operations.online_endpoints.get(name), _prices(clients))


def deployment_logs(clients: AzureClients, endpoint_name: str) -> str:
    try:
        return (
            clients.workspace.online_deployments.get_logs(
                name=DEPLOYMENT_NAME, endpoint_name=endpoint_name, lines=LOG_LINES_ON_FAILURE
            )
            or "(no log lines)"
        )
    except Exception as error:  # noqa: BLE001 - the container may never have started
        return f"(logs not available: {short(error)})"


def _prices(clients: AzureClients) -> dict[str, float]:
    try:
        sizes = compute.list_sizes(clients)
    except AzureError:
        return {}
    prices = {str(s.name).lower(): compute.hourly_price(s) for s in sizes}
    return {name: price for name, price in prices.items() if price is not None}


def _endpoint_info(clients: AzureClients, endpoint: Any, prices: dict[str, float]) -> EndpointInfo:
    traffic = endpoint.traffic or {}
    deployment_name = max(traffic, key=lambda name: traffic[name]) if traffic else ""
    model_name = model_version = ""
    price = None
    if deployment_name:
        try:
            deployment = clients.workspace.online_deployments.get(
                name=deployment_name, endpoint_name=endpoint.name
            )
            model_ref = str(deployment.model or "")
            # "/subscriptions/.../models/<name>/versions/<v>" or "azureml:<name>:<v>"
            parts = model_ref.replace("azureml:", "").replace("/versions/", ":").split(":")
            model_name = parts[0].rsplit("/", 1)[-1]
            model_version = parts[1] if len(parts) > 1 else ""
            price = prices.get(str(deployment.instance_type or "").lower())
            if price is not None:
                price *= int(deployment.instance_count or 1)
        except Exception as error:  # noqa: BLE001 - listing must not fail on one deployment
            log.info(
                "deployment %s of %s unreadable: %s", deployment_name, endpoint.name, short(error)
            )
    return EndpointInfo(
        name=endpoint.name,
        backend="azure",
        scoring_uri=endpoint.scoring_uri or "",
        model_name=model_name,
        model_version=model_version,
        status=EndpointStatus.from_azure(_text(endpoint.provisioning_state)),
        deployment=deployment_name,
        hourly_price=price,
    )


def list_endpoints(clients: AzureClients) -> list[EndpointInfo]:
    try:
        endpoints = list(clients.workspace.online_endpoints.list())
    except Exception as error:  # noqa: BLE001
        raise service_error(error, "the workspace's endpoints") or AzureError(
            f"Cannot list the workspace's endpoints: {short(error)}"
        ) from error
    prices = _prices(clients) if endpoints else {}
    return [_endpoint_info(clients, e, prices) for e in endpoints]


def delete_endpoint(clients: AzureClients, name: str) -> None:
    """Delete an endpoint and its deployments; it stops billing once this returns."""
    try:
        clients.workspace.online_endpoints.begin_delete(name=name).result()
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"endpoint '{name}'") or EndpointError(
            f"Cannot delete endpoint '{name}': {short(error)}",
            "Retry, or delete it in Azure ML studio (Endpoints) so it stops billing.",
        ) from error


def regenerate_key(clients: AzureClients, name: str) -> None:
    """A new primary key (the one the studio sends); the old one stops working when this returns.

    begin_regenerate_keys refuses an endpoint whose auth mode is not "key" (token endpoints have
    no key to regenerate: their tokens expire by themselves).
    """
    try:
        clients.workspace.online_endpoints.begin_regenerate_keys(name, key_type="primary").result()
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"endpoint '{name}'") or EndpointError(
            f"Cannot regenerate the key of endpoint '{name}': {short(error)}",
            "Check the endpoint uses key authentication and your role lets you manage it "
            "(Azure ML studio, Endpoints), then retry.",
        ) from error


def endpoint_secret(credentials: Any) -> str:
    """What goes after "Bearer " for an endpoint, whatever its auth mode.

    get_keys answers by the endpoint's auth mode: EndpointAuthKeys for key auth (the studio's
    endpoints), EndpointAuthToken for AMLToken (POST .../token) and EndpointAadToken for
    AADToken (a Microsoft Entra token for https://ml.azure.com). All three are sent as
    `Authorization: Bearer <secret>`; a token expires (about an hour), after which the chat
    answers 401 and picking the endpoint again reads a fresh one.
    """
    key = getattr(credentials, "primary_key", None)
    return str(key or getattr(credentials, "access_token", None) or "")


def scoring_target(clients: AzureClients, name: str) -> ScoringTarget:
    """Scoring URI, key or token, and the deployment header (not online_endpoints.invoke)."""
    try:
        endpoint = clients.workspace.online_endpoints.get(name)
        keys = clients.workspace.online_endpoints.get_keys(name)
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"endpoint '{name}'") or EndpointError(
            f"Cannot read endpoint '{name}': {short(error)}",
            "Check the endpoint still exists (Endpoints page).",
        ) from error
    traffic = endpoint.traffic or {}
    deployment = max(traffic, key=lambda d: traffic[d]) if traffic else DEPLOYMENT_NAME
    secret = endpoint_secret(keys)
    if not secret:
        raise EndpointError(
            f"Endpoint '{name}' gave neither a key nor a token "
            f"(auth mode {_text(endpoint.auth_mode) or 'unknown'}).",
            "Check your role on the endpoint in Azure ML studio (reading keys or tokens needs "
            "the 'AzureML Data Scientist' role), then pick the endpoint again.",
        )
    return ScoringTarget(
        scoring_uri=endpoint.scoring_uri,
        key=secret,
        headers={"azureml-model-deployment": deployment},
    )
