"""Azure ML clusters: list, create, and the guide's fine-tuning checks (step 3).

Beyond the guide: the hourly price of a VM size (list_sizes carries estimatedVMPrices) and
the region's quota use (compute.list_usage) travel in ComputeInfo / ComputeCheck.details.
"""

from __future__ import annotations

import logging
from typing import Any

from services.backends.azure.connection import AzureClients, service_error, short
from services.backends.base import ComputeCheck, ComputeInfo, ModelInfo
from services.errors import AzureError, ValidationError

log = logging.getLogger(__name__)

# The guide refuses these when the model has no finetune_compute_allow_list.
UNSUPPORTED_GPU_SIZES = ("standard_nc6", "standard_nc12", "standard_nc24", "standard_nc24r")
TIERS = {"dedicated": "dedicated", "low_priority": "low_priority", "lowpriority": "low_priority"}


def _field(obj: Any, *names: str) -> Any:
    """An attribute of an SDK entity whose REST dict was copied in (snake or camel case)."""
    data = obj if isinstance(obj, dict) else vars(obj)
    for name in names:
        if data.get(name) is not None:
            return data[name]
    return None


def _text(value: Any) -> str:
    """An SDK enum (ProvisioningState.FAILED) or a string -> its plain value ("Failed")."""
    return str(getattr(value, "value", value) or "")


def list_sizes(clients: AzureClients) -> list[Any]:
    try:
        return list(clients.workspace.compute.list_sizes())
    except Exception as error:  # noqa: BLE001
        raise service_error(error, "the VM sizes of the workspace region") or AzureError(
            f"Cannot list the VM sizes of the workspace region: {short(error)}",
            "Check your sign-in and the workspace, then retry.",
        ) from error


def hourly_price(size: Any, *, low_priority: bool = False, os_type: str = "Linux") -> float | None:
    """The Linux retail price per hour of a VmSize for the tier, when the service reports one."""
    prices = _field(size, "estimatedVMPrices", "estimated_vm_prices") or {}
    tier = "lowpriority" if low_priority else "standard"
    for price in _field(prices, "values") or []:
        price_tier = str(_field(price, "vmTier", "vm_tier") or "").lower()
        price_os = str(_field(price, "osType", "os_type") or "").lower()
        if price_tier == tier and price_os == os_type.lower():
            value = _field(price, "retailPrice", "retail_price")
            return float(value) if value is not None else None
    return None


def _find_size(sizes: list[Any], name: str) -> Any | None:
    return next((s for s in sizes if str(s.name).lower() == str(name).lower()), None)


def _to_compute_info(compute: Any, sizes: list[Any]) -> ComputeInfo:
    size = _find_size(sizes, compute.size or "") if getattr(compute, "size", None) else None
    low_priority = _text(getattr(compute, "tier", "")).lower() == "low_priority"
    return ComputeInfo(
        name=compute.name,
        kind="amlcompute",
        gpus=int(size.gpus or 0) if size is not None else 0,
        memory_gb=_field(size, "memoryGB", "memory_gb") if size is not None else None,
        description=f"{compute.size} x{getattr(compute, 'max_instances', '?')} nodes"
        + (" (low priority)" if low_priority else ""),
        size=compute.size or "",
        provisioning_state=_text(compute.provisioning_state),
        max_nodes=getattr(compute, "max_instances", None),
        hourly_price=hourly_price(size, low_priority=low_priority) if size is not None else None,
    )


def list_computes(clients: AzureClients) -> list[ComputeInfo]:
    """The workspace's AmlCompute clusters (compute instances and attached targets left out)."""
    try:
        computes = [c for c in clients.workspace.compute.list() if c.type == "amlcompute"]
    except Exception as error:  # noqa: BLE001
        raise service_error(error, "the workspace's compute") or AzureError(
            f"Cannot list the workspace's compute: {short(error)}",
            "Check your role on the workspace (Reader or more), then retry.",
        ) from error
    sizes = list_sizes(clients) if computes else []
    return [_to_compute_info(c, sizes) for c in computes]


def create_compute(
    clients: AzureClients,
    name: str,
    size: str,
    min_nodes: int = 0,
    max_nodes: int = 1,
    tier: str = "dedicated",
) -> ComputeInfo:
    """Create (or update) an AmlCompute cluster and wait until Azure has accepted it."""
    from azure.ai.ml.entities import AmlCompute

    tier_value = TIERS.get(tier.lower().replace("-", "_").replace(" ", "_"))
    problems = []
    if tier_value is None:
        problems.append(f"tier must be 'dedicated' or 'low_priority', not {tier!r}")
    if not 0 <= min_nodes <= max_nodes or max_nodes < 1:
        problems.append(
            f"need 0 <= min_nodes <= max_nodes and max_nodes >= 1 (got {min_nodes}, {max_nodes})"
        )
    if problems:
        raise ValidationError(problems[0], "Fix the cluster settings.", reasons=problems)
    cluster = AmlCompute(
        name=name,
        size=size,
        min_instances=min_nodes,
        max_instances=max_nodes,
        tier=tier_value,
        idle_time_before_scale_down=120,
    )
    try:
        created = clients.workspace.compute.begin_create_or_update(cluster).result()
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"cluster '{name}'") or AzureError(
            f"Cannot create cluster '{name}' ({size}): {short(error)}",
            "Check the size is offered in the workspace region and that your quota allows "
            f"{max_nodes} node(s) (see the quota table), then retry.",
        ) from error
    return _to_compute_info(created, list_sizes(clients))


def quota(clients: AzureClients, size: Any | None = None) -> list[dict]:
    """Quota rows of the workspace region: the totals and the VM family of `size`, if given."""
    try:
        usages = list(clients.workspace.compute.list_usage())
    except Exception as error:  # noqa: BLE001 - quota is extra information, never a blocker
        log.info("quota not available: %s", short(error))
        return []
    family = str(_field(size, "family") or "").lower() if size is not None else ""
    rows = []
    for usage in usages:
        name = _field(usage, "name") or {}
        label = str(_field(name, "localizedValue", "localized_value", "value") or "")
        usage_type = str(_field(usage, "type") or "")
        workspace_level = "/workspaces/" in str(_field(usage, "id") or "")
        if workspace_level:
            continue
        # "standardNCADSA100v4Family" vs "Standard NCADS_A100_v4 Family Cluster Dedicated vCPUs"
        squashed = label.lower().replace(" ", "").replace("_", "")
        if (
            "dedicatedCores" in usage_type
            or "lowPriorityCores" in usage_type
            or (family and family.replace("_", "") in squashed)
        ):
            rows.append(
                {
                    "name": label,
                    "used": _field(usage, "currentValue", "current_value"),
                    "limit": _field(usage, "limit"),
                    "unit": _field(usage, "unit"),
                }
            )
    return rows


def check_compute(
    clients: AzureClients, model: ModelInfo, compute_name: str, *, gpus: int = 0
) -> ComputeCheck:
    """The guide's checks, each failure a reason; gpus_per_node comes from list_sizes."""
    from azure.core.exceptions import ResourceNotFoundError

    try:
        compute = clients.workspace.compute.get(compute_name)
    except ResourceNotFoundError:
        return ComputeCheck(
            ok=False,
            reasons=(f"Compute '{compute_name}' does not exist in the workspace.",),
            hints=("Pick a cluster from the list or create one.",),
        )
    except Exception as error:  # noqa: BLE001
        raise AzureError(f"Cannot read compute '{compute_name}': {short(error)}") from error

    reasons: list[str] = []
    hints: list[str] = []
    vm_size = str(compute.size or "")
    if _text(compute.provisioning_state).lower() == "failed":
        reasons.append(f"Provisioning failed, compute '{compute_name}' is in failed state.")
        hints.append("Create a different compute (or delete and recreate this one).")
    allow_list = model.finetune_compute_allow_list
    if allow_list:
        if vm_size.lower() not in [s.lower() for s in allow_list]:
            reasons.append(f"VM size {vm_size} is not in the allow-listed computes for finetuning.")
            hints.append(f"Use a cluster of one of these sizes: {', '.join(allow_list)}.")
    elif vm_size.lower() in UNSUPPORTED_GPU_SIZES:
        reasons.append(f"VM size {vm_size} is currently not supported for finetuning.")
        hints.append("Use a newer GPU size such as Standard_NC24ads_A100_v4.")

    sizes = list_sizes(clients)
    size = _find_size(sizes, vm_size)
    gpus_per_node = 0
    if size is None:
        available = [str(s.name) for s in sizes]
        reasons.append(
            f"Number of GPUs in compute {vm_size} not found. Available sizes are: {available}."
        )
        hints.append(f"Check the selected compute cluster '{compute_name}' and try again.")
    else:
        gpus_per_node = int(size.gpus or 0)
        if gpus_per_node < 1:
            reasons.append(f"VM size {vm_size} has no GPU; fine-tuning needs GPU compute.")
            hints.append("Pick or create a GPU cluster.")
        elif gpus and gpus > gpus_per_node:
            reasons.append(f"{gpus} GPUs requested but a {vm_size} node has {gpus_per_node}.")
            hints.append(f"Ask for at most {gpus_per_node} GPUs per node.")

    low_priority = _text(getattr(compute, "tier", "")).lower() == "low_priority"
    details = {
        "compute": compute_name,
        "size": vm_size,
        "provisioning_state": _text(compute.provisioning_state),
        "gpus_per_node": gpus_per_node,
        "max_nodes": getattr(compute, "max_instances", None),
        "tier": "low_priority" if low_priority else "dedicated",
        "hourly_price": hourly_price(size, low_priority=low_priority) if size else None,
        "allow_list": list(allow_list),
        "quota": quota(clients, size),
    }
    return ComputeCheck(
        ok=not reasons,
        reasons=tuple(reasons),
        hints=tuple(hints),
        gpus=gpus_per_node,
        details=details,
    )
