"""Real-shaped JSON bodies, modelled on the examples of Azure/azure-rest-api-specs
(machinelearningservices, 2024-10-01: Compute/get/AmlCompute.json, VirtualMachineSize/list.json,
Usage/list.json, Job/PipelineJob/get.json, OnlineEndpoint/get.json, ...) and on what the
azure-ai-ml 1.35 deserializers read.
"""

from __future__ import annotations

SUB = "00000000-1111-2222-3333-444444444444"
RG = "rg-studio"
WS = "ws-studio"
LOCATION = "eastus"
ARM = "https://management.azure.com"
WS_ID = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
WS_URL = ARM + WS_ID
REGISTRY_SUB = "5f5f5f5f-0000-0000-0000-000000000000"
REGISTRY_RG = "registry-builtin-prod-eastus-01"
REGISTRY_URL = (
    "https://cert-eastus.experiments.azureml.net/mferp/managementfrontend"
    f"/subscriptions/{REGISTRY_SUB}/resourceGroups/{REGISTRY_RG}"
    "/providers/Microsoft.MachineLearningServices/registries/azureml"
)
RUN_HISTORY = f"https://{LOCATION}.api.azureml.ms/history/v1.0{WS_ID}"
SYSTEM_DATA = {
    "createdAt": "2025-06-01T10:00:00.000Z",
    "createdBy": "dev@contoso.com",
    "createdByType": "User",
    "lastModifiedAt": "2025-06-01T10:00:00.000Z",
    "lastModifiedBy": "dev@contoso.com",
    "lastModifiedByType": "User",
}


def registry_discovery() -> dict:
    return {
        "registryName": "azureml",
        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "primaryRegion": LOCATION,
        "regions": [LOCATION, "westus"],
        "subscriptionId": REGISTRY_SUB,
        "resourceGroup": REGISTRY_RG,
        "workspaceName": None,
        "primaryRegionResourceProviderUri": "https://cert-eastus.experiments.azureml.net/",
    }


def workspace(mlflow_uri: str = "") -> dict:
    return {
        "id": WS_ID,
        "name": WS,
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": LOCATION,
        "kind": "Default",
        "identity": {"type": "SystemAssigned", "principalId": "p", "tenantId": "t"},
        "sku": {"name": "Basic", "tier": "Basic"},
        "properties": {
            "friendlyName": WS,
            "workspaceId": "cafe0000-0000-0000-0000-00000000beef",
            "discoveryUrl": f"https://{LOCATION}.api.azureml.ms/discovery",
            "mlFlowTrackingUri": mlflow_uri
            or f"azureml://{LOCATION}.api.azureml.ms/mlflow/v1.0{WS_ID}",
            "provisioningState": "Succeeded",
            "storageAccount": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/"
            "Microsoft.Storage/storageAccounts/ststudio",
            "keyVault": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/"
            "Microsoft.KeyVault/vaults/kvstudio",
            "publicNetworkAccess": "Enabled",
        },
        "systemData": SYSTEM_DATA,
    }


def model_version(
    name: str,
    version: str = "6",
    *,
    tags: dict | None = None,
    properties: dict | None = None,
    system_metadata: dict | None = None,
    archived: bool = False,
    stage: str = "Active",
) -> dict:
    """A registry model version (ModelVersion, api 2021-10-01-dataplanepreview)."""
    return {
        "id": f"azureml://registries/azureml/models/{name}/versions/{version}",
        "name": version,
        "type": "Microsoft.MachineLearningServices/registries/models/versions",
        "properties": {
            "description": f"{name} foundation model",
            "tags": tags or {},
            "properties": properties or {},
            "isArchived": archived,
            "isAnonymous": False,
            "flavors": {"python_function": {"data": {"loader_module": "mlflow.transformers"}}},
            "modelType": "mlflow_model",
            "modelUri": f"azureml://registries/azureml/models/{name}/versions/{version}",
            "stage": stage,
            "systemMetadata": system_metadata,
        },
        "systemData": SYSTEM_DATA,
    }


def model_container(name: str, latest: str = "6") -> dict:
    return {
        "id": f"{REGISTRY_URL}/models/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/registries/models",
        "properties": {"latestVersion": latest, "nextVersion": str(int(latest) + 1),
                       "isArchived": False, "tags": {}, "properties": {}},
        "systemData": SYSTEM_DATA,
    }


def aml_compute(name: str, size: str, *, state: str = "Succeeded", max_nodes: int = 2,
                priority: str = "Dedicated") -> dict:
    """Shaped like Compute/get/AmlCompute.json."""
    return {
        "id": f"{WS_ID}/computes/{name}",
        "type": "Microsoft.MachineLearningServices/workspaces/computes",
        "name": name,
        "location": LOCATION,
        "properties": {
            "description": "",
            "createdOn": "2025-06-01T10:00:00.0000000+00:00",
            "modifiedOn": "2025-06-01T10:00:00.0000000+00:00",
            "computeType": "AmlCompute",
            "provisioningState": state,
            "provisioningErrors": [{"error": {"code": "QuotaExceeded", "message": "no quota"}}]
            if state == "Failed" else None,
            "properties": {
                "vmSize": size,
                "vmPriority": priority,
                "osType": "Linux",
                "isolatedNetwork": False,
                "scaleSettings": {"maxNodeCount": max_nodes, "minNodeCount": 0,
                                  "nodeIdleTimeBeforeScaleDown": "PT2M"},
                "remoteLoginPortPublicAccess": "NotSpecified",
                "allocationState": "Steady",
                "allocationStateTransitionTime": "2025-06-01T10:00:00.998Z",
                "errors": None,
                "currentNodeCount": 0,
                "targetNodeCount": 0,
                "nodeStateCounts": {"preparingNodeCount": 0, "runningNodeCount": 0,
                                    "idleNodeCount": 0, "unusableNodeCount": 0,
                                    "leavingNodeCount": 0, "preemptedNodeCount": 0},
                "enableNodePublicIp": True,
            },
        },
    }


def vm_size(name: str, family: str, vcpus: int, gpus: int, memory_gb: float,
            linux_price: float | None = None, low_priority_price: float | None = None) -> dict:
    """Shaped like VirtualMachineSize/list.json."""
    size = {
        "name": name,
        "family": family,
        "vCPUs": vcpus,
        "gpus": gpus,
        "osVhdSizeMB": 1047552,
        "maxResourceVolumeMB": 737280,
        "memoryGB": memory_gb,
        "lowPriorityCapable": True,
        "premiumIO": True,
        "supportedComputeTypes": ["AmlCompute", "ComputeInstance"],
    }
    if linux_price is not None:
        values = [{"retailPrice": linux_price, "osType": "Linux", "vmTier": "Standard"},
                  {"retailPrice": linux_price * 1.4, "osType": "Windows", "vmTier": "Standard"}]
        if low_priority_price is not None:
            values.append({"retailPrice": low_priority_price, "osType": "Linux",
                           "vmTier": "LowPriority"})
        size["estimatedVMPrices"] = {"billingCurrency": "USD", "unitOfMeasure": "OneHour",
                                     "values": values}
    return size


DEFAULT_SIZES = [
    vm_size("Standard_DS3_v2", "standardDSv2Family", 4, 0, 14.0, 0.29, 0.06),
    vm_size("Standard_NC6", "standardNCFamily", 6, 1, 56.0, 0.9),
    vm_size("Standard_NC6s_v3", "standardNCSv3Family", 6, 1, 112.0, 3.06, 0.61),
    vm_size("Standard_NC24rs_v3", "standardNCSv3Family", 24, 4, 448.0, 13.46),
    vm_size("Standard_NC24ads_A100_v4", "StandardNCADSA100v4Family", 24, 1, 220.0, 3.67, 0.73),
    vm_size("Standard_NC96ads_A100_v4", "StandardNCADSA100v4Family", 96, 4, 880.0, 14.69),
]


def usage(label: str, used: int, limit: int, kind: str = "vmFamily") -> dict:
    """Shaped like Usage/list.json."""
    return {
        "id": f"/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/locations/"
        f"{LOCATION}/usages/{label.replace(' ', '_')}",
        "type": f"Microsoft.MachineLearningServices/{kind}/usages",
        "unit": "Count",
        "currentValue": used,
        "limit": limit,
        "name": {"value": label.replace(" ", ""), "localizedValue": label},
    }


DEFAULT_USAGES = [
    usage("Total Cluster Dedicated Regional vCPUs", 24, 100, "dedicatedCores"),
    usage("Total Cluster LowPriority Regional vCPUs", 0, 100, "lowPriorityCores"),
    usage("Standard NCADS_A100_v4 Family Cluster Dedicated vCPUs", 24, 96),
    usage("Standard NCSv3 Family Cluster Dedicated vCPUs", 0, 24),
    usage("Standard DSv2 Family Cluster Dedicated vCPUs", 4, 48),
]
