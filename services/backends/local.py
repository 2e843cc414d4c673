"""The local backend: everything on this machine, offline.

Thin by design: each concern lives in its own module and this class only routes to it.
Heavy libraries (torch, transformers, peft) run in worker and server processes that those
modules start, never in the caller's process.
"""

from __future__ import annotations

import os
from typing import Any

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
    ProgressCallback,
    RegisteredModel,
    ScoringTarget,
)
from services.errors import UnsupportedError
from services.local import catalog, devices
from services.security.audit import audited
from services.serving import local_endpoints, local_registry
from services.training import jobs, resume


class LocalBackend:
    name = "local"
    capabilities = Capabilities(
        deploy_base_model=True,
        add_model_folder=True,
        mlflow_ui=True,
        evaluate=True,
        resume=True,
        checkpoints=True,
    )

    def list_models(self) -> list[ModelInfo]:
        return catalog.list_models()

    def get_model(self, model_id: str) -> ModelInfo:
        return catalog.get_model(model_id)

    def add_model_folder(self, path: str | os.PathLike) -> ModelInfo:
        return catalog.add_model_folder(path)

    def list_computes(self) -> list[ComputeInfo]:
        return devices.list_computes()

    def create_compute(
        self, name: str, size: str, min_nodes: int = 0, max_nodes: int = 1, tier: str = "dedicated"
    ) -> ComputeInfo:
        raise UnsupportedError(
            "The local backend runs on this machine's CPU and GPUs: it creates no clusters.",
            "Connect to Azure ML in Setup to create a compute cluster.",
        )

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
        return devices.check_compute(
            model,
            compute,
            gpus=gpus,
            batch_size=batch_size,
            max_seq_length=max_seq_length,
            apply_lora=apply_lora,
        )

    def submit_job(self, spec: JobSpec) -> JobInfo:
        with audited("submit", spec.display_name, backend=self.name) as action:
            job = jobs.submit_job(spec)
            action.resource = job.id
        return job

    def list_jobs(self) -> list[JobInfo]:
        return jobs.list_jobs()

    def get_job(self, job_id: str) -> JobInfo:
        return jobs.get_job(job_id)

    def cancel_job(self, job_id: str) -> None:
        with audited("cancel", job_id, backend=self.name):
            jobs.cancel_job(job_id)

    def read_logs(self, job_id: str, offsets: dict | None = None) -> LogChunk:
        return jobs.read_logs(job_id, offsets)

    def get_metrics(self, job_id: str) -> dict[str, list[tuple[int, float]]]:
        return jobs.get_metrics(job_id)

    def get_params(self, job_id: str) -> dict[str, str]:
        return jobs.get_params(job_id)

    def list_checkpoints(self, job_id: str) -> list[CheckpointInfo]:
        return resume.list_checkpoints(job_id)

    def resume_job(self, job_id: str, step: int | None = None) -> JobInfo:
        with audited("resume", job_id, backend=self.name) as action:
            job = resume.resume_job(job_id, step)
            action.resource = job.id
        return job

    def register_model(
        self, job_id: str, name: str | None = None, *, checkpoint: int | None = None
    ) -> RegisteredModel:
        with audited("register", job_id, backend=self.name) as action:
            model = local_registry.register_model(job_id, name, checkpoint=checkpoint)
            action.resource = f"{model.name}:{model.version}"
        return model

    def list_registered_models(self) -> list[RegisteredModel]:
        return local_registry.list_registered_models()

    def deploy(
        self,
        model_name: str,
        version: str | None = None,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> EndpointInfo:
        model = f"{model_name}:{version or 'latest'}"
        with audited("deploy", model, backend=self.name, model=model) as action:
            endpoint = local_endpoints.deploy(model_name, version, on_progress=on_progress)
            action.resource = endpoint.name
        return endpoint

    def evaluation_store(self) -> Any:
        raise UnsupportedError(
            "Local evaluations are recorded by their worker in the local MLflow store.",
            "Start one on the Evaluate page, or with `python -m services evaluate JOB`.",
        )

    def offer_base_deployment(self, model_id: str, instance_type: str = "") -> DeploymentOffer:
        raise UnsupportedError(
            "Local endpoints cost nothing: there is no deployment offer to accept.",
            "Deploy the base model on the Deploy page, or evaluate with local weights.",
        )

    def deploy_base_model(
        self,
        model_id: str,
        *,
        instance_type: str = "",  # a local endpoint runs on this machine
        on_progress: ProgressCallback | None = None,
    ) -> EndpointInfo:
        with audited("deploy", model_id, backend=self.name, model=model_id) as action:
            endpoint = local_endpoints.deploy(model_id, base_model=True, on_progress=on_progress)
            action.resource = endpoint.name
        return endpoint

    def list_endpoints(self) -> list[EndpointInfo]:
        return local_endpoints.list_endpoints()

    def delete_endpoint(self, name: str) -> None:
        with audited("delete", name, backend=self.name):
            local_endpoints.delete_endpoint(name)

    def regenerate_key(self, name: str) -> None:
        with audited("regenerate_key", name, backend=self.name):
            local_endpoints.regenerate_key(name)

    def scoring_target(self, name: str) -> ScoringTarget:
        return local_endpoints.scoring_target(name)
