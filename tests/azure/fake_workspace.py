"""A stateful fake workspace + azureml registry on top of FakeAzure's route table.

Tests change the state (`models`, `computes`, `sizes`, `jobs`, ...) and the routes answer from
it, so the same SDK calls see different worlds. Every request stays in `fake.requests`.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from typing import Any

from tests.azure import payloads as p
from tests.azure.fake_azure import FakeAzure, Reply, SentRequest, arm_error

WS_PATH = r"/workspaces/" + p.WS
COMPUTE_CREATE_STATE = "Succeeded"
OPERATIONS = (
    f"{p.ARM}/subscriptions/{p.SUB}/providers/Microsoft.MachineLearningServices"
    f"/locations/{p.LOCATION}"
)
OPERATION_API = "?api-version=2024-10-01"
# How many polls an operation answers "InProgress" before it ends: the SDK must poll.
POLLS_IN_PROGRESS = 1


class FakeWorkspace:
    def __init__(self, fake: FakeAzure, mlflow_uri: str = "") -> None:
        self.fake = fake
        self.mlflow_uri = mlflow_uri
        self.models: dict[str, list[dict]] = {}  # registry: name -> versions (newest last)
        self.archived: dict[str, list[dict]] = {}
        self.computes: dict[str, dict] = {}
        self.sizes: list[dict] = copy.deepcopy(p.DEFAULT_SIZES)
        self.usages: list[dict] = copy.deepcopy(p.DEFAULT_USAGES)
        self.workspace_reply: Reply | None = None  # e.g. a 403 for the connection tests
        self.components: dict[str, dict] = {}
        self.jobs: dict[str, dict] = {}  # ARM job resources by name
        self.children: dict[str, list[dict]] = {}  # run history: parent -> Runs
        self.log_urls: dict[str, dict[str, str]] = {}  # run -> log name -> SAS URL
        self.blobs: dict[str, bytes] = {}  # blob path (no query) -> content
        self.ws_models: dict[str, dict[str, dict]] = {}  # workspace models: name -> version
        self.endpoints: dict[str, dict] = {}
        self.primary_keys: dict[str, str] = {}  # endpoint -> its primary key once regenerated
        self.deployments: dict[tuple[str, str], dict] = {}
        self.deployment_state = "Succeeded"  # what a new deployment ends in
        self.deployment_log = "Booting worker\nModel loaded\n"
        # Long-running operations: id -> what finishing does, returning "Succeeded"/"Failed"
        self.mlflow_metrics: dict[str, dict[str, list[dict]]] = {}  # run -> key -> points
        self.mlflow_runs: dict[str, dict] = {}  # runs created through MLflow (evaluations)
        self.operations: dict[str, Callable[[], str]] = {}
        self.operation_polls_left: dict[str, int] = {}
        self._install()

    # state helpers
    def add_model(self, name: str, version: str = "6", **kwargs: Any) -> dict:
        body = p.model_version(name, version, **kwargs)
        self.models.setdefault(name, []).append(body)
        return body

    def add_archived_model(self, name: str, version: str = "15", **kwargs: Any) -> dict:
        """An archived version as the registry answers it: isArchived true and no stage."""
        kwargs.setdefault("stage", None)
        body = p.model_version(name, version, archived=True, **kwargs)
        self.archived.setdefault(name, []).append(body)
        return body

    def add_endpoint(self, name: str, auth_mode: str = "Key", deployment: str = "blue") -> dict:
        """An endpoint made outside the studio (e.g. in Azure ML studio), serving `deployment`."""
        body = p.online_endpoint(name, auth_mode, traffic={deployment: 100})
        self.endpoints[name] = body
        return body

    def log_metrics(self, run_id: str, *points: tuple[str, float, int, int]) -> None:
        """(key, value, timestamp ms, step) points on an MLflow run, as the finetune step logs."""
        run = self.mlflow_metrics.setdefault(run_id, {})
        for key, value, timestamp, step in points:
            run.setdefault(key, []).append(p.mlflow_metric(key, value, timestamp, step))

    def add_compute(self, name: str, size: str, **kwargs: Any) -> dict:
        body = p.aml_compute(name, size, **kwargs)
        self.computes[name] = body
        return body

    def add_component(self, body: dict) -> None:
        self.components[body["properties"]["componentSpec"]["name"]] = body

    def add_job(self, body: dict) -> dict:
        self.jobs[body["name"]] = body
        return body

    def set_status(self, job_name: str, status: str) -> None:
        self.jobs[job_name]["properties"]["status"] = status

    def add_step(
        self, parent: str, root: str, name: str, display: str, logs: dict[str, bytes] | None = None
    ) -> None:
        """A child run and its log files behind SAS URLs.

        ARM answers a pipeline step without properties: its state lives in run history.
        """
        self.children.setdefault(parent, []).append(p.run(name, parent, root, display))
        self.jobs.setdefault(name, p.pipeline_step_resource(name))
        urls = {}
        for log_name, content in (logs or {}).items():
            path = f"/azureml/ExperimentRun/dcid.{name}/{log_name}"
            self.blobs[path] = content
            urls[log_name] = (
                f"https://ststudio.blob.core.windows.net{path}"
                "?sv=2019-07-07&sr=b&sig=c2ln&se=2030-01-01&sp=r"
            )
        self.log_urls[name] = urls

    # routes
    def _install(self) -> None:
        on = self.fake.on
        on(
            "GET",
            r"/registrymanagement/v1\.0/registries/azureml/discovery$",
            p.registry_discovery(),
        )
        on("GET", WS_PATH + "$", self._workspace)
        # registry models
        on("GET", r"/registries/azureml/models$", self._list_containers)
        on("GET", r"/registries/azureml/models/([^/]+)/versions$", self._list_versions)
        on("GET", r"/registries/azureml/models/([^/]+)/versions/([^/]+)$", self._get_version)
        # compute
        on("GET", WS_PATH + r"/computes$", lambda r, m: {"value": list(self.computes.values())})
        on("GET", WS_PATH + r"/computes/([^/]+)$", self._get_compute)
        on("PUT", WS_PATH + r"/computes/([^/]+)$", self._put_compute)
        on("GET", r"/locations/" + p.LOCATION + r"/vmSizes$", lambda r, m: {"value": self.sizes})
        on("GET", r"/locations/" + p.LOCATION + r"/usages$", lambda r, m: {"value": self.usages})
        # data-plane discovery, datastore and blob upload/download (training files, logs)
        on("GET", r"\.api\.azureml\.ms/discovery$", p.service_discovery())
        on("GET", WS_PATH + r"/datastores/workspaceblobstore$", p.datastore())
        on(
            "POST",
            WS_PATH + r"/datastores/workspaceblobstore/listSecrets$",
            {"secretsType": "AccountKey", "key": "a2V5LW5vdC1yZWFs"},
        )
        on("HEAD", r"\.blob\.core\.windows\.net/", self._head_blob)
        on("PUT", r"\.blob\.core\.windows\.net/", self._put_blob)
        on("GET", r"\.blob\.core\.windows\.net/", self._get_blob)
        # registry components
        on("GET", r"/registries/azureml/components/([^/]+)/versions$", self._list_components)
        # jobs (ARM) and run history
        # The jobs list holds top-level jobs only; pipeline steps are in run history.
        on(
            "GET",
            WS_PATH + r"/jobs$",
            lambda r, m: {"value": [j for j in self.jobs.values() if "properties" in j]},
        )
        on("GET", WS_PATH + r"/jobs/([^/]+)$", self._get_job)
        on("PUT", WS_PATH + r"/jobs/([^/]+)$", self._put_job)
        on("POST", WS_PATH + r"/jobs/([^/]+)/cancel$", self._cancel_job)
        on(
            "GET",
            r"/history/v1\.0/.*/runs/([^/]+)/children$",
            lambda r, m: {"value": self.children.get(m.group(1), []), "continuationToken": None},
        )
        on("GET", r"/history/v1\.0/.*/runs/([^/]+)/details$", self._run_details)
        # run artifacts (azureml-mlflow's RunArtifactsClient): a SAS URL per path, then a blob PUT
        on(
            "POST",
            r"/history/v1\.0/.*/experiments/([^/]+)/runs/([^/]+)/artifacts/batch/metadata$",
            self._create_empty_artifacts,
        )
        # MLflow REST API behind the azureml:// tracking URI (azureml-mlflow's AzureMLRestStore)
        mlflow = r"\.api\.azureml\.ms/mlflow/v2\.0/subscriptions/.*" + WS_PATH + r"/api/2\.0/mlflow"
        on("GET", mlflow + r"/runs/get$", self._mlflow_run)
        on("GET", mlflow + r"/metrics/get-history$", self._mlflow_metric_history)
        on("POST", mlflow + r"/runs/create$", self._mlflow_create_run)
        on("POST", mlflow + r"/runs/log-batch$", self._mlflow_log_batch)
        on("POST", mlflow + r"/runs/set-tag$", self._mlflow_set_tag)
        on("POST", mlflow + r"/runs/update$", self._mlflow_update_run)
        on("POST", mlflow + r"/runs/search$", self._mlflow_search_runs)
        # workspace models
        on("GET", WS_PATH + r"/models$", self._list_ws_models)
        on("GET", WS_PATH + r"/models/([^/]+)/versions$", self._list_ws_versions)
        on("GET", WS_PATH + r"/models/([^/]+)/versions/([^/]+)$", self._get_ws_model)
        on("PUT", WS_PATH + r"/models/([^/]+)/versions/([^/]+)$", self._put_ws_model)
        # online endpoints and deployments
        endpoint = WS_PATH + r"/onlineEndpoints/([^/]+)"
        on(
            "GET",
            WS_PATH + r"/onlineEndpoints$",
            lambda r, m: {"value": list(self.endpoints.values())},
        )
        on("GET", endpoint + "$", self._get_endpoint)
        on("PUT", endpoint + "$", self._put_endpoint)
        on("DELETE", endpoint + "$", self._delete_endpoint)
        on("DELETE", endpoint + r"/deployments/([^/]+)$", self._delete_deployment)
        on("POST", endpoint + "/listKeys$", self._list_keys)
        on("POST", endpoint + "/token$", self._get_token)
        on("POST", endpoint + "/regenerateKeys$", self._regenerate_keys)
        on(
            "GET",
            endpoint + r"/deployments$",
            lambda r, m: {
                "value": [body for (e, _), body in self.deployments.items() if e == m.group(1)]
            },
        )
        on("GET", endpoint + r"/deployments/([^/]+)$", self._get_deployment)
        on("PUT", endpoint + r"/deployments/([^/]+)$", self._put_deployment)
        on("GET", r"/mfeOperationsStatus/([^/]+)$", self._operation_status)
        on("GET", r"/mfeOperationResults/([^/]+)$", self._operation_result)
        on(
            "POST",
            endpoint + r"/deployments/([^/]+)/getLogs$",
            lambda r, m: {"content": self.deployment_log},
        )

    def _workspace(self, request: SentRequest, match) -> Any:
        return self.workspace_reply or p.workspace(self.mlflow_uri)

    def _list_containers(self, request: SentRequest, match) -> Any:
        # The SDK sends listViewType=ListViewType.ACTIVE_ONLY / ...ARCHIVED_ONLY / ...ALL.
        view = " ".join(request.query.get("listViewType", [])).lower()
        sources = {"archived": [self.archived], "all": [self.models, self.archived]}
        chosen = next((v for k, v in sources.items() if k in view), [self.models])
        return {
            "value": [
                p.model_container(name, versions[-1]["name"])
                for source in chosen
                for name, versions in source.items()
            ]
        }

    def _list_versions(self, request: SentRequest, match) -> Any:
        name = match.group(1)
        # Active versions only, newest first ($orderBy=createdtime desc).
        versions = list(reversed(self.models.get(name, [])))
        top = request.query.get("$top")
        return {"value": versions[: int(top[0])] if top else versions}

    def _get_version(self, request: SentRequest, match) -> Any:
        name, version = match.group(1), match.group(2)
        for body in self.models.get(name, []) + self.archived.get(name, []):
            if body["name"] == version:
                return body
        return arm_error(404, "UserError", f"Model {name}:{version} not found")

    def _get_compute(self, request: SentRequest, match) -> Any:
        name = match.group(1)
        if name not in self.computes:
            return arm_error(404, "NotFound", f"Compute {name} not found")
        return self.computes[name]

    def _put_compute(self, request: SentRequest, match) -> Any:
        name = match.group(1)
        sent = request.json()
        props = sent["properties"]["properties"]
        body = p.aml_compute(
            name,
            props["vmSize"],
            max_nodes=props["scaleSettings"]["maxNodeCount"],
            priority=props.get("vmPriority", "Dedicated"),
            state="Creating",
        )
        body["properties"]["properties"]["scaleSettings"]["minNodeCount"] = props["scaleSettings"][
            "minNodeCount"
        ]
        self.computes[name] = body

        def finish() -> str:
            body["properties"]["provisioningState"] = COMPUTE_CREATE_STATE
            return COMPUTE_CREATE_STATE

        # Computes_CreateOrUpdate: 201 + Azure-AsyncOperation; the SDK polls, then GETs it.
        return Reply(201, copy.deepcopy(body), self.start_operation(finish))

    def _head_blob(self, request: SentRequest, match) -> Any:
        path = request.path
        if path in self.blobs:
            return Reply(200, None, {"Content-Length": str(len(self.blobs[path]))})
        return Reply(404, None, {"x-ms-error-code": "BlobNotFound"})

    def _put_blob(self, request: SentRequest, match) -> Any:
        headers = {"ETag": '"0x8DC0000000000"', "Last-Modified": "Sun, 01 Jun 2025 10:00:00 GMT"}
        if "comp=" in request.url:  # metadata / block list: the blob exists already
            return Reply(200, None, headers)
        self.blobs[request.path] = request.body or b""
        return Reply(201, None, headers)

    def _get_blob(self, request: SentRequest, match) -> Any:
        """Blob GET honouring `Range: bytes=N-` as Azure Storage does (206 / 416)."""
        content = self.blobs.get(request.path)
        if content is None:
            return Reply(404, None, {"x-ms-error-code": "BlobNotFound"})
        wanted = request.headers.get("Range") or request.headers.get("x-ms-range")
        if not wanted:
            return Reply(200, content, {"Content-Type": "text/plain"})
        start = int(wanted.split("=")[1].split("-")[0])
        if start >= len(content):
            return Reply(416, None, {"Content-Range": f"bytes */{len(content)}"})
        part = content[start:]
        return Reply(
            206,
            part,
            {
                "Content-Type": "text/plain",
                "Content-Range": f"bytes {start}-{len(content) - 1}/{len(content)}",
            },
        )

    def _list_components(self, request: SentRequest, match) -> Any:
        body = self.components.get(match.group(1))
        return {"value": [body] if body else []}

    def _get_job(self, request: SentRequest, match) -> Any:
        name = match.group(1)
        if name not in self.jobs:
            return arm_error(404, "UserError", f"Job {name} not found")
        return self.jobs[name]

    def _put_job(self, request: SentRequest, match) -> Any:
        """Store the submitted job as the service would answer it (201, status NotStarted)."""
        name = match.group(1)
        body = request.json()
        body.update(
            {
                "id": f"{p.WS_ID}/jobs/{name}",
                "name": name,
                "type": "Microsoft.MachineLearningServices/workspaces/jobs",
                "systemData": p.SYSTEM_DATA,
            }
        )
        props = body["properties"]
        props["status"] = "NotStarted"
        props["services"] = p.job_services(name)
        self.jobs[name] = body
        return Reply(201, body)

    def _cancel_job(self, request: SentRequest, match) -> Any:
        name = match.group(1)
        if name not in self.jobs:
            return arm_error(404, "UserError", f"Job {name} not found")
        self.set_status(name, "CancelRequested")

        def finish() -> str:
            self.set_status(name, "Canceled")
            return "Succeeded"

        # Jobs_Cancel: 202 + Location; the job stays CancelRequested until Azure has stopped it.
        headers = self.start_operation(finish)
        return Reply(202, None, {"Location": headers["Location"]})

    def _run_details(self, request: SentRequest, match) -> Any:
        run_id = match.group(1)
        return p.run_details(run_id, self.log_urls.get(run_id, {}))

    def run_artifact(self, run_id: str, path: str) -> bytes | None:
        """What was uploaded as `path` of run `run_id`'s artifacts (None: nothing)."""
        return self.blobs.get(f"/azureml/ExperimentRun/dcid.{run_id}/{path}")

    def _create_empty_artifacts(self, request: SentRequest, match) -> Any:
        run_id = match.group(2)
        container = f"dcid.{run_id}"
        information = {
            item["path"]: {
                "contentUri": f"https://ststudio.blob.core.windows.net/azureml/ExperimentRun/"
                f"{container}/{item['path']}?sv=2019-07-07&sr=b&sig=c2ln&se=2030-01-01&sp=rcw",
                "origin": "ExperimentRun",
                "container": container,
                "path": item["path"],
            }
            for item in request.json()["paths"]
        }
        return {"artifacts": {}, "artifactContentInformation": information, "errors": {}}

    def _mlflow_run(self, request: SentRequest, match) -> Any:
        run_id = request.query.get("run_id", [""])[0]
        if run_id in self.mlflow_runs:
            return {"run": self.mlflow_runs[run_id]}
        if run_id not in self.mlflow_metrics:
            return p.mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", f"Run '{run_id}' not found.")
        return p.mlflow_run(run_id, self.mlflow_metrics[run_id])

    def _mlflow_create_run(self, request: SentRequest, match) -> Any:
        body = request.json()
        run_id = uuid.uuid4().hex
        run = p.mlflow_run(run_id, {})["run"]
        run["info"].update(
            experiment_id=body["experiment_id"],
            run_name=body.get("run_name", run_id),
            start_time=int(body["start_time"]),
        )
        run["data"]["tags"] = list(body.get("tags", []))
        self.mlflow_runs[run_id] = run
        return {"run": run}

    def _mlflow_log_batch(self, request: SentRequest, match) -> Any:
        body = request.json()
        data = self.mlflow_runs[body["run_id"]]["data"]
        data["metrics"] += body.get("metrics", [])
        data["params"] += body.get("params", [])
        for tag in body.get("tags", []):
            self._set_tag(body["run_id"], tag["key"], tag["value"])
        return {}

    def _set_tag(self, run_id: str, key: str, value: str) -> None:
        tags = self.mlflow_runs[run_id]["data"]["tags"]
        tags[:] = [t for t in tags if t["key"] != key] + [{"key": key, "value": value}]

    def _mlflow_set_tag(self, request: SentRequest, match) -> Any:
        body = request.json()
        self._set_tag(body["run_id"], body["key"], body["value"])
        return {}

    def _mlflow_update_run(self, request: SentRequest, match) -> Any:
        body = request.json()
        info = self.mlflow_runs[body["run_id"]]["info"]
        info["status"] = body["status"]
        info["end_time"] = int(body["end_time"])
        return {"run_info": info}

    def _mlflow_search_runs(self, request: SentRequest, match) -> Any:
        """Runs of the experiments, filtered by tag equalities only (what the studio asks)."""
        body = request.json()
        wanted = re.findall(r"tags\.`([^`]+)` = '([^']*)'", body.get("filter", ""))
        runs = [
            run
            for run in self.mlflow_runs.values()
            if run["info"]["experiment_id"] in body["experiment_ids"]
            and all({"key": key, "value": value} in run["data"]["tags"] for key, value in wanted)
        ]
        return {"runs": runs}

    def _mlflow_metric_history(self, request: SentRequest, match) -> Any:
        run_id = request.query.get("run_id", [""])[0]
        key = request.query.get("metric_key", [""])[0]
        if run_id not in self.mlflow_metrics:
            return p.mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", f"Run '{run_id}' not found.")
        return {"metrics": self.mlflow_metrics[run_id].get(key, [])}

    def _list_ws_models(self, request: SentRequest, match) -> Any:
        return {
            "value": [
                {
                    "id": f"{p.WS_ID}/models/{name}",
                    "name": name,
                    "type": "Microsoft.MachineLearningServices/workspaces/models",
                    "properties": {
                        "latestVersion": max(versions, key=int),
                        "isArchived": False,
                        "tags": {},
                        "properties": {},
                    },
                    "systemData": p.SYSTEM_DATA,
                }
                for name, versions in self.ws_models.items()
            ]
        }

    def _list_ws_versions(self, request: SentRequest, match) -> Any:
        versions = self.ws_models.get(match.group(1), {})
        newest_first = [versions[v] for v in sorted(versions, key=int, reverse=True)]
        top = request.query.get("$top")
        return {"value": newest_first[: int(top[0])] if top else newest_first}

    def _get_ws_model(self, request: SentRequest, match) -> Any:
        body = self.ws_models.get(match.group(1), {}).get(match.group(2))
        return body or arm_error(404, "UserError", "Model not found")

    def _put_ws_model(self, request: SentRequest, match) -> Any:
        name, version = match.group(1), match.group(2)
        body = request.json()
        body.update(
            {
                "id": f"{p.WS_ID}/models/{name}/versions/{version}",
                "name": version,
                "type": "Microsoft.MachineLearningServices/workspaces/models/versions",
                "systemData": p.SYSTEM_DATA,
            }
        )
        body["properties"]["provisioningState"] = "Succeeded"
        # The service reads the MLmodel file of an mlflow_model and reports its flavors.
        body["properties"]["flavors"] = body["properties"].get("flavors") or {
            "python_function": {"data": {"loader_module": "mlflow.transformers"}}
        }
        self.ws_models.setdefault(name, {})[version] = body
        return Reply(201, body)

    def _get_endpoint(self, request: SentRequest, match) -> Any:
        body = self.endpoints.get(match.group(1))
        return body or arm_error(404, "ResourceNotFound", f"Endpoint {match.group(1)} not found")

    def _put_endpoint(self, request: SentRequest, match) -> Any:
        name = match.group(1)
        body = request.json()
        body.update(
            {
                "id": f"{p.WS_ID}/onlineEndpoints/{name}",
                "name": name,
                "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                "systemData": p.SYSTEM_DATA,
            }
        )
        props = body["properties"]
        props["provisioningState"] = "Updating" if name in self.endpoints else "Creating"
        props["scoringUri"] = f"https://{name}.{p.LOCATION}.inference.ml.azure.com/score"
        props["swaggerUri"] = f"https://{name}.{p.LOCATION}.inference.ml.azure.com/swagger.json"
        self.endpoints[name] = body

        def finish() -> str:
            props["provisioningState"] = "Succeeded"
            return "Succeeded"

        # OnlineEndpoints_CreateOrUpdate: 201 + Azure-AsyncOperation, then a GET of the resource.
        return Reply(201, copy.deepcopy(body), self.start_operation(finish))

    def _delete_endpoint(self, request: SentRequest, match) -> Any:
        """OnlineEndpoints_Delete: 202 + Location while Azure deletes it, 204 when absent."""
        name = match.group(1)
        if name not in self.endpoints:
            return Reply(204, None)
        self.endpoints[name]["properties"]["provisioningState"] = "Deleting"

        def finish() -> str:
            self.endpoints.pop(name, None)
            for key in [k for k in self.deployments if k[0] == name]:
                del self.deployments[key]
            return "Succeeded"

        return Reply(202, None, self.start_operation(finish))

    def _delete_deployment(self, request: SentRequest, match) -> Any:
        key = (match.group(1), match.group(2))
        if key not in self.deployments:
            return Reply(204, None)
        return Reply(
            202, None, self.start_operation(lambda: self.deployments.pop(key) and "Succeeded")
        )

    def _auth_mode(self, name: str) -> str:
        return self.endpoints[name]["properties"].get("authMode", "Key")

    def _list_keys(self, request: SentRequest, match) -> Any:
        name = match.group(1)
        if name not in self.endpoints:
            return arm_error(404, "ResourceNotFound", "Endpoint not found")
        if self._auth_mode(name) != "Key":
            return arm_error(400, "BadArgument", "Keys are only available for key auth mode.")
        primary = self.primary_keys.get(name, f"primary-key-of-{name}")
        return {"primaryKey": primary, "secondaryKey": "secondary-key"}

    def _regenerate_keys(self, request: SentRequest, match) -> Any:
        """OnlineEndpoints_RegenerateKeys: 202 + an operation; the new key exists once it ends."""
        name = match.group(1)
        if name not in self.endpoints:
            return arm_error(404, "ResourceNotFound", "Endpoint not found")
        if self._auth_mode(name) != "Key":
            return arm_error(400, "BadArgument", "Keys are only available for key auth mode.")
        if (request.json() or {}).get("keyType") != "Primary":
            return Reply(202, None, self.start_operation(lambda: "Succeeded"))

        def finish() -> str:
            self.primary_keys[name] = f"regenerated-{len(self.operations)}-key-of-{name}"
            return "Succeeded"

        return Reply(202, None, self.start_operation(finish))

    def _get_token(self, request: SentRequest, match) -> Any:
        """EndpointAuthToken of an AMLToken endpoint (POST .../onlineEndpoints/{name}/token)."""
        name = match.group(1)
        if name not in self.endpoints:
            return arm_error(404, "ResourceNotFound", "Endpoint not found")
        if self._auth_mode(name) != "AMLToken":
            return arm_error(400, "BadArgument", "Tokens are only available for AMLToken mode.")
        return p.endpoint_token(name)

    def _get_deployment(self, request: SentRequest, match) -> Any:
        body = self.deployments.get((match.group(1), match.group(2)))
        return body or arm_error(404, "ResourceNotFound", "Deployment not found")

    def _put_deployment(self, request: SentRequest, match) -> Any:
        endpoint, name = match.group(1), match.group(2)
        body = request.json()
        body.update(
            {
                "id": f"{p.WS_ID}/onlineEndpoints/{endpoint}/deployments/{name}",
                "name": name,
                "systemData": p.SYSTEM_DATA,
                "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
            }
        )
        props = body["properties"]
        # Defaults the service fills in (ManagedOnlineDeployment/get.json).
        props.setdefault("scaleSettings", {"scaleType": "Default"})
        props.setdefault("endpointComputeType", "Managed")
        props.setdefault(
            "readinessProbe",
            {
                "failureThreshold": 30,
                "successThreshold": 1,
                "timeout": "PT2S",
                "period": "PT10S",
                "initialDelay": "PT1S",
            },
        )
        props["provisioningState"] = "Creating"
        self.deployments[(endpoint, name)] = body

        def finish() -> str:
            props["provisioningState"] = self.deployment_state
            return self.deployment_state

        # OnlineDeployments_CreateOrUpdate: 201 + Azure-AsyncOperation; the poller reads it.
        return Reply(201, copy.deepcopy(body), self.start_operation(finish))

    # long-running operations
    def start_operation(self, finish: Callable[[], str]) -> dict[str, str]:
        """Register an operation; the headers ARM answers with when it accepts one.

        Azure-AsyncOperation (mfeOperationsStatus) says {"status": ...}; Location
        (mfeOperationResults) answers 202 while running and 200 at the end. Each operation
        answers InProgress POLLS_IN_PROGRESS times first, so a caller that does not poll never
        sees it end.
        """
        operation_id = f"op-{len(self.operations) + 1}"
        self.operations[operation_id] = finish
        self.operation_polls_left[operation_id] = POLLS_IN_PROGRESS
        return {
            "Azure-AsyncOperation": f"{OPERATIONS}/mfeOperationsStatus/{operation_id}"
            + OPERATION_API,
            "Location": f"{OPERATIONS}/mfeOperationResults/{operation_id}" + OPERATION_API,
        }

    def _poll(self, operation_id: str) -> str:
        """The operation's status now: InProgress until its polls are used up, then its end."""
        if self.operation_polls_left[operation_id] > 0:
            self.operation_polls_left[operation_id] -= 1
            return "InProgress"
        finish = self.operations[operation_id]
        if callable(finish):
            self.operations[operation_id] = finish()  # runs once; the outcome is kept
        return str(self.operations[operation_id])

    def _operation_status(self, request: SentRequest, match) -> Any:
        state = self._poll(match.group(1))
        if state == "Failed":
            return {
                "status": "Failed",
                "error": {
                    "code": "ResourceNotReady",
                    "message": "User container has crashed or terminated. Please see "
                    "troubleshooting guide, available here: https://aka.ms/oe-tsg",
                },
            }
        return {"status": state}

    def _operation_result(self, request: SentRequest, match) -> Any:
        state = self._poll(match.group(1))
        if state == "InProgress":
            return Reply(202, None, {"Location": request.url, "Retry-After": "0"})
        return Reply(200, None)
