"""Real-shaped JSON bodies, modelled on the examples of Azure/azure-rest-api-specs
(machinelearningservices, 2024-10-01: Compute/get/AmlCompute.json, VirtualMachineSize/list.json,
Usage/list.json, Job/PipelineJob/get.json, OnlineEndpoint/get.json, ...) and on what the
azure-ai-ml 1.35 deserializers read.
"""

from __future__ import annotations

from tests.azure.fake_azure import Reply

SUB = "00000000-1111-2222-3333-444444444444"
RG = "rg-studio"
WS = "ws-studio"
LOCATION = "eastus"
ARM = "https://management.azure.com"
WS_ID = (
    f"/subscriptions/{SUB}/resourceGroups/{RG}"
    f"/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
)
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
    stage: str | None = "Active",
) -> dict:
    """A registry model version (ModelVersion, api 2021-10-01-dataplanepreview).

    stage None leaves the key out, as the registry does for archived versions.
    """
    body = {
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
            "systemMetadata": system_metadata,
        },
        "systemData": SYSTEM_DATA,
    }
    if stage is not None:
        body["properties"]["stage"] = stage
    return body


def model_container(name: str, latest: str = "6") -> dict:
    return {
        "id": f"{REGISTRY_URL}/models/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/registries/models",
        "properties": {
            "latestVersion": latest,
            "nextVersion": str(int(latest) + 1),
            "isArchived": False,
            "tags": {},
            "properties": {},
        },
        "systemData": SYSTEM_DATA,
    }


def aml_compute(
    name: str,
    size: str,
    *,
    state: str = "Succeeded",
    max_nodes: int = 2,
    priority: str = "Dedicated",
) -> dict:
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
            if state == "Failed"
            else None,
            "properties": {
                "vmSize": size,
                "vmPriority": priority,
                "osType": "Linux",
                "isolatedNetwork": False,
                "scaleSettings": {
                    "maxNodeCount": max_nodes,
                    "minNodeCount": 0,
                    "nodeIdleTimeBeforeScaleDown": "PT2M",
                },
                "remoteLoginPortPublicAccess": "NotSpecified",
                "allocationState": "Steady",
                "allocationStateTransitionTime": "2025-06-01T10:00:00.998Z",
                "errors": None,
                "currentNodeCount": 0,
                "targetNodeCount": 0,
                "nodeStateCounts": {
                    "preparingNodeCount": 0,
                    "runningNodeCount": 0,
                    "idleNodeCount": 0,
                    "unusableNodeCount": 0,
                    "leavingNodeCount": 0,
                    "preemptedNodeCount": 0,
                },
                "enableNodePublicIp": True,
            },
        },
    }


def vm_size(
    name: str,
    family: str,
    vcpus: int,
    gpus: int,
    memory_gb: float,
    linux_price: float | None = None,
    low_priority_price: float | None = None,
) -> dict:
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
        values = [
            {"retailPrice": linux_price, "osType": "Linux", "vmTier": "Standard"},
            {"retailPrice": linux_price * 1.4, "osType": "Windows", "vmTier": "Standard"},
        ]
        if low_priority_price is not None:
            values.append(
                {"retailPrice": low_priority_price, "osType": "Linux", "vmTier": "LowPriority"}
            )
        size["estimatedVMPrices"] = {
            "billingCurrency": "USD",
            "unitOfMeasure": "OneHour",
            "values": values,
        }
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


def service_discovery() -> dict:
    """What the workspace's discoveryUrl answers: the data-plane hosts."""
    base = f"https://{LOCATION}.api.azureml.ms"
    hosts = [
        "api",
        "catalog",
        "experimentation",
        "gallery",
        "history",
        "hyperdrive",
        "labeling",
        "modelmanagement",
        "pipelines",
    ]
    return {**{host: base for host in hosts}, "studio": "https://ml.azure.com"}


def datastore() -> dict:
    return {
        "id": f"{WS_ID}/datastores/workspaceblobstore",
        "name": "workspaceblobstore",
        "type": "Microsoft.MachineLearningServices/workspaces/datastores",
        "properties": {
            "datastoreType": "AzureBlob",
            "accountName": "ststudio",
            "containerName": "azureml-blobstore-cafe0000",
            "endpoint": "core.windows.net",
            "protocol": "https",
            "isDefault": True,
            "credentials": {"credentialsType": "AccountKey"},
            "serviceDataAccessAuthIdentity": "None",
            "description": "",
            "tags": {},
            "properties": {},
        },
        "systemData": SYSTEM_DATA,
    }


def studio_url(job_name: str) -> str:
    return (
        f"https://ml.azure.com/runs/{job_name}?wsid=/subscriptions/{SUB}/resourcegroups/"
        f"{RG}/workspaces/{WS}&tid=72f988bf-86f1-41af-91ab-2d7cd011db47"
    )


def job_services(job_name: str) -> dict:
    return {
        "Tracking": {
            "jobServiceType": "Tracking",
            "endpoint": f"azureml://{LOCATION}.api.azureml.ms/mlflow/v1.0{WS_ID}?",
            "status": None,
            "port": None,
        },
        "Studio": {
            "jobServiceType": "Studio",
            "endpoint": studio_url(job_name),
            "status": None,
            "port": None,
        },
    }


def command_job(name: str, display_name: str, status: str = "Running") -> dict:
    """A pipeline step as ARM returns it (Job/CommandJob/get.json)."""
    return {
        "id": f"{WS_ID}/jobs/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/jobs",
        "properties": {
            "jobType": "Command",
            "displayName": display_name,
            "status": status,
            "experimentName": "chat_completion_Phi-4",
            "command": "python finetune.py",
            "environmentId": "azureml://registries/azureml/environments/acft-hf-nlp-gpu/"
            "versions/77",
            "computeId": f"{WS_ID}/computes/a100",
            "inputs": {},
            "outputs": {},
            "resources": {"instanceCount": 1},
            "tags": {},
            "properties": {},
            "services": job_services(name),
            "isArchived": False,
        },
        "systemData": SYSTEM_DATA,
    }


def pipeline_step_resource(name: str) -> dict:
    """What ARM answers for a pipeline step's job: the resource envelope, no properties."""
    return {
        "id": f"{WS_ID}/jobs/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/jobs",
        "systemData": SYSTEM_DATA,
    }


def run(run_id: str, parent: str, root: str, display_name: str, status: str = "Running") -> dict:
    """A run-history Run (children listing)."""
    return {
        "runId": run_id,
        "parentRunId": parent,
        "rootRunId": root,
        "runUuid": f"uuid-{run_id}",
        "displayName": display_name,
        "status": status,
        "experimentId": "e7a2c3d0-0000-0000-0000-000000000000",
        "createdUtc": "2025-06-01T10:00:00.000Z",
        "runType": "azureml.StepRun",
        "properties": {},
        "tags": {},
    }


def run_details(run_id: str, log_urls: dict[str, str], status: str = "Running") -> dict:
    return {
        "runId": run_id,
        "runUuid": f"uuid-{run_id}",
        "status": status,
        "target": "a100",
        "logFiles": log_urls,
        "properties": {},
        "inputDatasets": [],
        "outputDatasets": [],
    }


def _optional(kind: str, default=None, **extra) -> dict:
    spec = {"type": kind, "optional": True, **extra}
    if default is not None:
        spec["default"] = default
    return spec


# A representative part of chat_completion_pipeline's 69 inputs (names and types as the
# registry component declares them; learning_rate_min/max are NOT among them).
CHAT_COMPLETION_INPUTS = {
    "mlflow_model_path": _optional("mlflow_model"),
    "pytorch_model_path": _optional("custom_model"),
    "compute_model_import": _optional("string", "serverless"),
    "compute_preprocess": _optional("string", "serverless"),
    "compute_finetune": _optional("string", "serverless"),
    "compute_model_evaluation": _optional("string", "serverless"),
    "instance_type_finetune": _optional("string", "Standard_ND96amsr_A100_v4"),
    "train_file_path": _optional("uri_file"),
    "validation_file_path": _optional("uri_file"),
    "test_file_path": _optional("uri_file"),
    "number_of_gpu_to_use_finetuning": _optional("integer", 1),
    "num_nodes_finetune": _optional("integer", 1),
    "num_train_epochs": _optional("integer", 1),
    "max_steps": _optional("integer", -1),
    "per_device_train_batch_size": _optional("integer", 1),
    "per_device_eval_batch_size": _optional("integer", 1),
    "gradient_accumulation_steps": _optional("integer", 1),
    "learning_rate": _optional("number", 2e-5),
    "lr_scheduler_type": _optional(
        "string",
        "linear",
        enum=[
            "linear",
            "cosine",
            "cosine_with_restarts",
            "polynomial",
            "constant",
            "constant_with_warmup",
        ],
    ),
    "warmup_steps": _optional("integer", 0),
    "apply_lora": _optional("string", "false", enum=["true", "false"]),
    "lora_r": _optional("integer", 8),
    "lora_alpha": _optional("integer", 128),
    "lora_dropout": _optional("number", 0.0),
    "apply_deepspeed": _optional("string", "false", enum=["true", "false"]),
    "deepspeed_stage": _optional("string", "2", enum=["2", "3"]),
    "max_seq_length": _optional("integer", -1),
    "save_total_limit": _optional("integer", -1),
    "seed": _optional("integer", 42),
}


def chat_completion_component(version: str = "0.0.65") -> dict:
    """The registry component version (ComponentVersion, api 2021-10-01-dataplanepreview)."""
    spec = {
        "$schema": "https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json",
        "name": "chat_completion_pipeline",
        "version": version,
        "display_name": "Chat Completion Pipeline",
        "description": "Pipeline Component to finetune Hugging Face chat-completion models.",
        "type": "pipeline",
        "is_deterministic": True,
        "inputs": CHAT_COMPLETION_INPUTS,
        "outputs": {
            "mlflow_model_folder": {"type": "mlflow_model"},
            "evaluation_result": {"type": "uri_folder"},
        },
        "jobs": {},
    }
    return {
        "id": f"azureml://registries/azureml/components/chat_completion_pipeline/versions/"
        f"{version}",
        "name": version,
        "type": "Microsoft.MachineLearningServices/registries/components/versions",
        "properties": {
            "componentSpec": spec,
            "description": spec["description"],
            "tags": {},
            "properties": {},
            "isArchived": False,
            "isAnonymous": False,
        },
        "systemData": SYSTEM_DATA,
    }


def online_endpoint(name: str, auth_mode: str = "Key", traffic: dict | None = None) -> dict:
    """An online endpoint as GET answers it (OnlineEndpoint/get.json, 2024-10-01)."""
    return {
        "id": f"{WS_ID}/onlineEndpoints/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        "location": LOCATION,
        "kind": "Managed",
        "identity": {"type": "SystemAssigned"},
        "tags": {},
        "properties": {
            "authMode": auth_mode,
            "description": f"{name}, made in Azure ML studio",
            "properties": {},
            "traffic": traffic or {},
            "provisioningState": "Succeeded",
            "publicNetworkAccess": "Enabled",
            "scoringUri": f"https://{name}.{LOCATION}.inference.ml.azure.com/score",
            "swaggerUri": f"https://{name}.{LOCATION}.inference.ml.azure.com/swagger.json",
        },
        "systemData": SYSTEM_DATA,
    }


def endpoint_token(name: str) -> dict:
    """EndpointAuthToken of an AMLToken endpoint (OnlineEndpoint/getToken.json)."""
    return {
        "accessToken": f"aml-token-of-{name}",
        "expiryTimeUtc": 1893456000,
        "refreshAfterTimeUtc": 1893452400,
        "tokenType": "Bearer",
    }


def mlflow_metric(key: str, value: float, timestamp: int, step: int) -> dict:
    """One point of a metric as the MLflow REST API sends it (mlflow.Metric)."""
    return {"key": key, "value": value, "timestamp": timestamp, "step": step}


def mlflow_run(run_id: str, metrics: dict[str, list[dict]]) -> dict:
    """GET .../api/2.0/mlflow/runs/get: the run, with the latest value of each metric."""
    return {
        "run": {
            "info": {
                "run_id": run_id,
                "run_uuid": run_id,
                "experiment_id": "5c2f4e6b-7d0a-4f1e-9c3b-2a1d0e9f8c7b",
                "run_name": run_id,
                "user_id": "11111111-2222-3333-4444-555555555555",
                "status": "RUNNING",
                "start_time": 1748772000000,
                "artifact_uri": f"azureml://experiments/chat_completion/runs/{run_id}/artifacts",
                "lifecycle_stage": "active",
            },
            "data": {
                "metrics": [
                    max(points, key=lambda m: (m["step"], m["timestamp"]))
                    for points in metrics.values()
                    if points
                ],
                "params": [],
                "tags": [{"key": "mlflow.runName", "value": run_id}],
            },
            "inputs": {},
        }
    }


def mlflow_error(status: int, code: str, message: str) -> Reply:
    """The MLflow REST error envelope."""
    return Reply(status, {"error_code": code, "message": message})
