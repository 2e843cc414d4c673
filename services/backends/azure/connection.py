"""Connect to an Azure ML workspace and the `azureml` registry (the guide's step 1).

Where the workspace comes from, first match wins per field: the arguments, the environment
(AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AZUREML_WORKSPACE_NAME), then a config.json as
Azure ML studio downloads it: the one named, else found the way MLClient.from_config finds it
(config.json in .azureml/, aml_config/ or the folder itself, from the working folder up through
its parents), else STUDIO_HOME/azure/config.json.

The credential chain follows the guide: DefaultAzureCredential, and when it cannot get a token,
InteractiveBrowserCredential. Tests inject a credential and an azure-core transport instead.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.config import studio_home
from services.errors import AzureError

log = logging.getLogger(__name__)

REGISTRY_NAME = "azureml"
ARM_SCOPE = "https://management.azure.com/.default"
ENV_VARS = {
    "subscription_id": "AZURE_SUBSCRIPTION_ID",
    "resource_group": "AZURE_RESOURCE_GROUP",
    "workspace_name": "AZUREML_WORKSPACE_NAME",
}
# config.json spells the resource group two ways (studio download vs. older SDK files).
CONFIG_KEYS = {
    "subscription_id": ("subscription_id",),
    "resource_group": ("resource_group", "resource_group_name"),
    "workspace_name": ("workspace_name",),
}
LOGIN_HINT = "Run `az login` (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)."
# MLClient.from_config's search: these folders in priority order (None: the folder itself),
# each tried from the start folder up through 20 parents (azure.ai.ml._ml_client).
CONFIG_DIRS = (".azureml", "aml_config", None)
CONFIG_SEARCH_LEVELS = 20


@dataclass(frozen=True)
class WorkspaceRef:
    subscription_id: str
    resource_group: str
    workspace_name: str
    source: str  # where the values came from, for messages: "arguments", "environment", a path


@dataclass(frozen=True)
class AzureConnection:
    """Which workspace a backend is connected to, for messages and the Setup page."""

    subscription_id: str
    resource_group: str
    workspace_name: str
    location: str  # the workspace's Azure region, e.g. "westeurope"
    source: str  # where the workspace settings came from: "arguments", "environment", a path

    def describe(self) -> str:
        """'workspace `ws` (resource group `rg`, region westeurope)', for a success message."""
        return (
            f"workspace `{self.workspace_name}` (resource group `{self.resource_group}`, "
            f"region {self.location or 'unknown'})"
        )


@dataclass
class AzureClients:
    """The two MLClients of the guide, plus what the backend needs next to them."""

    workspace: Any  # azure.ai.ml.MLClient bound to the workspace
    registry: Any  # azure.ai.ml.MLClient bound to the azureml registry
    ref: WorkspaceRef
    location: str
    mlflow_tracking_uri: str
    session: Any  # requests.Session for plain HTTPS reads (log files behind SAS URLs)
    credential: Any = None  # the TokenCredential both MLClients sign in with (MLflow uses it too)
    mlflow_store: Any = None  # this connection's MLflow store, built on first use (metrics.py)

    @property
    def connection(self) -> AzureConnection:
        return AzureConnection(
            subscription_id=self.ref.subscription_id,
            resource_group=self.ref.resource_group,
            workspace_name=self.ref.workspace_name,
            location=self.location,
            source=self.ref.source,
        )


def search_config(start: Path) -> Path | None:
    """config.json the way MLClient.from_config(path=start) finds it, or None."""
    if start.is_file():
        return start
    folders = [start.resolve(), *start.resolve().parents][: CONFIG_SEARCH_LEVELS + 1]
    for sub in CONFIG_DIRS:
        for folder in folders:
            candidate = folder / sub / "config.json" if sub else folder / "config.json"
            if candidate.is_file():
                return candidate
    return None


def config_candidates(config_path: str | os.PathLike | None = None) -> list[Path]:
    """Where a config.json is looked for, first hit wins."""
    if config_path:
        path = Path(config_path).expanduser()
        return [search_config(path) or path] if path.is_dir() else [path]
    found = search_config(Path.cwd())
    return [p for p in (found, studio_home() / "azure" / "config.json") if p is not None]


def _read_config(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise AzureError(
            f"Cannot read Azure config file {path}: {error}.",
            "Download config.json from the workspace page in Azure ML studio and save it there.",
        ) from error
    values = {}
    for field, keys in CONFIG_KEYS.items():
        for key in keys:
            if data.get(key):
                values[field] = str(data[key])
                break
    return values


def find_azure_config(config_path: str | os.PathLike | None = None) -> dict | None:
    """What Azure workspace is configured (no secrets), or None when nothing is.

    Returns {"subscription_id", "resource_group", "workspace_name", "source", "complete"}; a
    field is "" when not set. Never contacts Azure.
    """
    values: dict[str, str] = {}
    sources: list[str] = []
    for path in config_candidates(config_path):
        if path.is_file():
            try:
                values = _read_config(path)
            except AzureError:
                values = {}
            sources.append(str(path))
            break
    from_env = {field: os.environ[var] for field, var in ENV_VARS.items() if os.environ.get(var)}
    if from_env:
        values.update(from_env)
        sources.append("environment")
    if not values:
        return None
    result: dict[str, str | bool] = {field: values.get(field, "") for field in ENV_VARS}
    result["source"] = " + ".join(sources)
    result["complete"] = all(result[field] for field in ENV_VARS)
    return result


def switch_offer(active_backend: str) -> str:
    """A pointer to the configured workspace while the studio runs on another backend ("" on
    azure, or when no workspace is fully configured). Never contacts Azure."""
    found = find_azure_config() if active_backend != "azure" else None
    if not found or not found["complete"]:
        return ""
    return (
        f"Azure ML workspace `{found['workspace_name']}` is configured ({found['source']}): "
        "switch to it on the Setup page."
    )


def resolve_workspace(
    subscription_id: str | None = None,
    resource_group: str | None = None,
    workspace_name: str | None = None,
    config_path: str | os.PathLike | None = None,
) -> WorkspaceRef:
    """Arguments over environment over config.json; every field must end up set."""
    args = {
        "subscription_id": subscription_id,
        "resource_group": resource_group,
        "workspace_name": workspace_name,
    }
    found = find_azure_config(config_path) or {}
    values = {field: value or found.get(field, "") for field, value in args.items()}
    missing = [field for field, value in values.items() if not value]
    if missing:
        raise AzureError(
            f"Azure workspace not configured: missing {', '.join(missing)}.",
            "Put the workspace's config.json in the current folder (or a parent, or its "
            ".azureml/ folder) or "
            f"{studio_home() / 'azure' / 'config.json'}, set "
            + ", ".join(ENV_VARS[m] for m in missing)
            + ", or fill in the Connect form.",
        )
    source = "arguments" if all(args.values()) else found.get("source", "arguments")
    return WorkspaceRef(source=source, **values)


def default_credential() -> Any:
    """DefaultAzureCredential when it can get a token, else the interactive browser login."""
    from azure.identity import DefaultAzureCredential, InteractiveBrowserCredential

    try:
        credential = DefaultAzureCredential()
        credential.get_token(ARM_SCOPE)
        return credential
    except Exception as error:  # noqa: BLE001 - any failure means: try the browser login
        log.info("DefaultAzureCredential failed (%s); trying the browser login", error)
        return InteractiveBrowserCredential()


def connect_clients(
    ref: WorkspaceRef, *, credential: Any = None, transport: Any = None
) -> AzureClients:
    """Build both MLClients and check the workspace answers (the first real request)."""
    from azure.ai.ml import MLClient

    credential = credential or default_credential()
    options: dict[str, Any] = {}
    if transport is not None:
        # Tests (and proxies) pass a transport; no telemetry, no retries, no polling waits.
        options = {
            "transport": transport,
            "enable_telemetry": False,
            "polling_interval": 0,
            "retry_total": 0,
        }
    workspace_client = MLClient(
        credential,
        subscription_id=ref.subscription_id,
        resource_group_name=ref.resource_group,
        workspace_name=ref.workspace_name,
        **options,
    )
    try:
        workspace = workspace_client.workspaces.get(ref.workspace_name)
    except Exception as error:  # noqa: BLE001 - translated into what the user should do
        raise connection_error(error, ref) from error
    try:
        registry_client = MLClient(credential, registry_name=REGISTRY_NAME, **options)
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"the Azure ML registry '{REGISTRY_NAME}'") or AzureError(
            f"Cannot reach the Azure ML registry '{REGISTRY_NAME}': {short(error)}",
            "Check the network and that your account can read public registries.",
        ) from error
    return AzureClients(
        workspace=workspace_client,
        registry=registry_client,
        ref=ref,
        location=workspace.location or "",
        mlflow_tracking_uri=workspace.mlflow_tracking_uri or "",
        session=getattr(transport, "session", None) or _new_session(),
        credential=credential,
    )


def _new_session() -> Any:
    import requests

    return requests.Session()


def short(error: BaseException, limit: int = 300) -> str:
    """The first line of an SDK error (they carry long multi-line bodies)."""
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    first = str(text).strip().splitlines()[0] if str(text).strip() else type(error).__name__
    return first[:limit]


def connection_error(error: BaseException, ref: WorkspaceRef) -> AzureError:
    """Say what failed when the workspace could not be read, and what to do about it."""
    from azure.core.exceptions import ClientAuthenticationError

    status = getattr(error, "status_code", None)
    code = str(getattr(getattr(error, "error", None), "code", "") or "")
    where = (
        f"workspace '{ref.workspace_name}' in resource group '{ref.resource_group}' "
        f"(subscription {ref.subscription_id}, from {ref.source})"
    )
    if isinstance(error, ClientAuthenticationError) and status is None:
        return AzureError(f"Could not sign in to Azure: {short(error)}", LOGIN_HINT)
    if status == 401:
        return AzureError(f"Azure rejected the sign-in for {where}: {short(error)}", LOGIN_HINT)
    if status == 403:
        return AzureError(
            f"Your account is not allowed to read {where} ({code or 'AuthorizationFailed'}).",
            "Ask the workspace owner for the 'AzureML Data Scientist' (or Contributor) role "
            "on the workspace, or sign in with another account (`az login`).",
        )
    if status == 404:
        if code == "SubscriptionNotFound" or "subscription" in short(error).lower():
            hint = "Check the subscription id (`az account list -o table`)."
        elif code == "ResourceGroupNotFound":
            hint = "Check the resource group name (`az group list -o table`)."
        else:
            hint = "Check the workspace and resource group names (`az ml workspace list -o table`)."
        return AzureError(f"Not found: {where} ({short(error)}).", hint)
    busy = service_error(error, where)
    if busy is not None:
        return busy
    return AzureError(f"Cannot reach {where}: {short(error)}", "Check the network, then retry.")


def retry_after_s(error: BaseException) -> int | None:
    """Seconds from the Retry-After header of an HTTP error answer (ARM sends it on 429)."""
    response = getattr(error, "response", None)
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return max(0, int(float(value))) if value is not None else None
    except ValueError:  # an HTTP date instead of seconds: no figure to quote
        return None


def service_error(error: BaseException, what: str) -> AzureError | None:
    """The throttling (429) or service-side (5xx) message for an Azure answer, else None.

    Both mean the request reached Azure and Azure could not serve it now, so "check the
    network" would send the user the wrong way.
    """
    status = getattr(error, "status_code", None)
    if status == 429:
        wait = retry_after_s(error)
        when = f"after {wait} s" if wait is not None else "in a minute"
        return AzureError(
            f"Azure is throttling requests for {what} (429 Too Many Requests).",
            f"Retry {when} (Azure's Retry-After); other tools using the same subscription "
            "share this limit.",
        )
    if isinstance(status, int) and 500 <= status < 600:
        return AzureError(
            f"Azure had a service problem answering for {what} ({status}): {short(error)}",
            "This is on Azure's side, not yours: try again in a few "
            "minutes, and check https://azure.status.microsoft if it persists.",
        )
    return None
