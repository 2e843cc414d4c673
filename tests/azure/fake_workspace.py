"""A stateful fake workspace + azureml registry on top of FakeAzure's route table.

Tests change the state (`models`, `computes`, `sizes`, `jobs`, ...) and the routes answer from
it, so the same SDK calls see different worlds. Every request stays in `fake.requests`.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.azure import payloads as p
from tests.azure.fake_azure import FakeAzure, Reply, SentRequest, arm_error

WS_PATH = r"/workspaces/" + p.WS
COMPUTE_CREATE_STATE = "Succeeded"


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
        self._install()

    # state helpers
    def add_model(self, name: str, version: str = "6", **kwargs: Any) -> dict:
        body = p.model_version(name, version, **kwargs)
        self.models.setdefault(name, []).append(body)
        return body

    def add_archived_model(self, name: str, version: str = "15", **kwargs: Any) -> dict:
        body = p.model_version(name, version, archived=True, stage="Archived", **kwargs)
        self.archived.setdefault(name, []).append(body)
        return body

    def add_compute(self, name: str, size: str, **kwargs: Any) -> dict:
        body = p.aml_compute(name, size, **kwargs)
        self.computes[name] = body
        return body

    # routes
    def _install(self) -> None:
        on = self.fake.on
        on("GET", r"/registrymanagement/v1\.0/registries/azureml/discovery$",
           p.registry_discovery())
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
        versions = list(reversed(self.models.get(name, [])))  # active only  # newest first ($orderBy createdtime)
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
            state=COMPUTE_CREATE_STATE,
        )
        body["properties"]["properties"]["scaleSettings"]["minNodeCount"] = props[
            "scaleSettings"
        ]["minNodeCount"]
        self.computes[name] = body
        # A synchronous 200 with the resource: the poller finishes at once.
        return Reply(200, body)
