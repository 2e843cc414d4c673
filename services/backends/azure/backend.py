"""AzureBackend: routes each Backend method to the module that owns the concern."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from services.backends.azure import compute as clusters
from services.backends.azure import endpoints, jobs, logs, metrics, models, pipeline
from services.backends.azure.connection import (
    AzureClients,
    AzureConnection,
    connect_clients,
    resolve_workspace,
)
from services.backends.base import (
    Capabilities,
    CheckpointInfo,
    ComputeCheck,
    ComputeInfo,
    DeploymentOffer,
    EndpointInfo,
    JobInfo,
    JobSpec,
    LogChunk,
    ModelInfo,
    RegisteredModel,
    ScoringTarget,
)
from services.errors import UnsupportedError
from services.security.audit import audited

_NO_CHECKPOINTS = (
    "Azure ML's chat_completion_pipeline keeps no intermediate checkpoints: resuming a job or "
    "registering an earlier step is available with the local backend only."
)


class AzureBackend:
    name = "azure"
    capabilities = Capabilities(create_compute=True, deploy_base_model=True)

    def __init__(self, clients: AzureClients) -> None:
        self.clients = clients

    @classmethod
    def connect(
        cls,
        *,
        subscription_id: str | None = None,
        resource_group: str | None = None,
        workspace_name: str | None = None,
        config_path: str | os.PathLike | None = None,
        credential: Any = None,
        transport: Any = None,
    ) -> AzureBackend:
        """Find the workspace (arguments, environment, config.json), sign in, check it answers.

        Raises services.errors.AzureError saying what failed and what to do.
        """
        ref = resolve_workspace(subscription_id, resource_group, workspace_name, config_path)
        return cls(connect_clients(ref, credential=credential, transport=transport))

    @property
    def connection(self) -> AzureConnection:
        """The workspace, resource group and region this backend is connected to."""
        return self.clients.connection

    @property
    def workspace(self) -> dict[str, str]:
        ref = self.clients.ref
        return {
            "subscription_id": ref.subscription_id,
            "resource_group": ref.resource_group,
            "workspace_name": ref.workspace_name,
            "location": self.clients.location,
            "source": ref.source,
        }

    # Models and compute
    def list_models(self) -> list[ModelInfo]:
        return models.list_models(self.clients)

    def get_model(self, model_id: str) -> ModelInfo:
        return models.get_model(self.clients, model_id)

    def add_model_folder(self, path: str | os.PathLike) -> ModelInfo:
        raise UnsupportedError(
            "Azure ML fine-tunes models from its registry, not folders on this machine.",
            "Pick a model from the list, or switch to the local backend in Setup.",
        )

    def list_computes(self) -> list[ComputeInfo]:
        return clusters.list_computes(self.clients)

    def create_compute(
        self, name: str, size: str, min_nodes: int = 0, max_nodes: int = 1, tier: str = "dedicated"
    ) -> ComputeInfo:
        return clusters.create_compute(self.clients, name, size, min_nodes, max_nodes, tier)

    def check_compute(
        self,
        model: ModelInfo,
        compute: str,
        *,
        gpus: int,
        batch_size: int,
        max_seq_length: int,
        apply_lora: bool = True,
    ) -> ComputeCheck:
        # Azure sizes the job by node (gpus_per_node); the batch shape is the component's.
        return clusters.check_compute(self.clients, model, compute, gpus=gpus)

    def filter_params(self, params: dict) -> tuple[dict, list[str]]:
        """(accepted, dropped): only names the chat_completion_pipeline component takes."""
        return pipeline.filter_params(pipeline.get_component(self.clients), params)

    # Jobs
    def submit_job(self, spec: JobSpec) -> JobInfo:
        with audited("submit", spec.display_name, backend=self.name) as action:
            job = pipeline.submit_job(self.clients, spec)
            action.resource = job.id
        return job

    def list_jobs(self) -> list[JobInfo]:
        return jobs.list_jobs(self.clients)

    def get_job(self, job_id: str) -> JobInfo:
        return jobs.get_job(self.clients, job_id)

    def cancel_job(self, job_id: str) -> None:
        with audited("cancel", job_id, backend=self.name):
            jobs.cancel_job(self.clients, job_id)

    def read_logs(self, job_id: str, offsets: dict | None = None) -> LogChunk:
        return logs.read_logs(self.clients, job_id, offsets)

    def get_metrics(self, job_id: str) -> dict[str, list[tuple[int, float]]]:
        return metrics.get_metrics(self.clients, job_id)

    def get_params(self, job_id: str) -> dict[str, str]:
        return jobs.get_params(self.clients, job_id)

    # chat_completion_pipeline keeps no checkpoint a later job could start from: its finetune
    # step writes only the final model, and a rerun starts from step 0 (capabilities say so).
    def list_checkpoints(self, job_id: str) -> list[CheckpointInfo]:
        raise UnsupportedError(_NO_CHECKPOINTS, "Register the finished job's model instead.")

    def resume_job(self, job_id: str, step: int | None = None) -> JobInfo:
        raise UnsupportedError(
            _NO_CHECKPOINTS, "Submit the job again: Azure ML trains it from the start."
        )

    # Register, deploy, chat
    def register_model(
        self, job_id: str, name: str | None = None, *, checkpoint: int | None = None
    ) -> RegisteredModel:
        if checkpoint is not None:
            raise UnsupportedError(_NO_CHECKPOINTS, "Register the finished job's model instead.")
        with audited("register", job_id, backend=self.name) as action:
            model = endpoints.register_model(self.clients, job_id, name)
            action.resource = f"{model.name}:{model.version}"
        return model

    def list_registered_models(self) -> list[RegisteredModel]:
        return endpoints.list_registered_models(self.clients)

    def deploy(
        self,
        model_name: str,
        version: str | None = None,
        *,
        instance_type: str = endpoints.DEFAULT_INSTANCE_TYPE,
        endpoint_name: str | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> EndpointInfo:
        model = f"{model_name}:{version or 'latest'}"
        with audited("deploy", endpoint_name or model, backend=self.name, model=model) as action:
            endpoint = endpoints.deploy(
                self.clients,
                model_name,
                version,
                instance_type=instance_type,
                endpoint_name=endpoint_name,
                on_progress=on_progress,
            )
            action.resource = endpoint.name
        return endpoint

    def evaluation_store(self) -> Any:
        return metrics.mlflow_store(self.clients)

    def offer_base_deployment(self, model_id: str, instance_type: str = "") -> DeploymentOffer:
        from services.backends.azure import base_deployment

        return base_deployment.offer(self.clients, model_id, instance_type)

    def deploy_base_model(
        self,
        model_id: str,
        *,
        instance_type: str = "",
        on_progress: Callable[[str], None] | None = None,
    ) -> EndpointInfo:
        """The registry model as its own managed online endpoint (it bills by the hour:
        offer_base_deployment says on what and for how much first)."""
        from services.backends.azure import base_deployment

        with audited("deploy", model_id, backend=self.name) as action:
            chosen = base_deployment.offer(self.clients, model_id, instance_type)
            endpoint = base_deployment.deploy(self.clients, chosen, on_progress=on_progress)
            action.resource = endpoint.name
        return endpoint

    def list_endpoints(self) -> list[EndpointInfo]:
        return endpoints.list_endpoints(self.clients)

    def delete_endpoint(self, name: str) -> None:
        with audited("delete", name, backend=self.name):
            endpoints.delete_endpoint(self.clients, name)

    def regenerate_key(self, name: str) -> None:
        with audited("regenerate_key", name, backend=self.name):
            endpoints.regenerate_key(self.clients, name)

    def scoring_target(self, name: str) -> ScoringTarget:
        return endpoints.scoring_target(self.clients, name)
