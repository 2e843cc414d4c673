"""The Backend the app's pages get: every operation of the wrapped backend, with the caller's
role checked before anything that spends money or changes state.

Hiding a button is not a control: a crafted request (a widget value set by hand, a page
edited in the browser) reaches the same service. So the check is here, in the service layer,
and each action runs `acting_as` the caller, so the audit log names the signed-in person.
Reading (models, jobs, logs, metrics, endpoints, a scoring target to chat with) is open to
every signed-in role; a model by a typed name (a folder path, a hub id) is for operators.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from services.backends.base import (
    Backend,
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
from services.security.audit import acting_as
from services.security.roles import Caller, require_operator

T = TypeVar("T")


class GuardedBackend:
    """`backend` as `caller` may use it (satisfies the Backend protocol)."""

    def __init__(self, backend: Backend, caller: Caller) -> None:
        self.inner = backend
        self.caller = caller
        self.name = backend.name
        self.capabilities = backend.capabilities

    def _as_operator(self, action: str, resource: str, call: Callable[[], T]) -> T:
        require_operator(self.caller, action, resource)
        with acting_as(self.caller.actor):
            return call()

    # Reading: every role
    def list_models(self) -> list[ModelInfo]:
        return self.inner.list_models()

    def get_model(self, model_id: str) -> ModelInfo:
        """A viewer gets only the listed models: a typed name may be a server path or a hub id."""
        if not self.caller.is_operator:
            listed = {model.id: model for model in self.inner.list_models()}
            if model_id in listed:
                return listed[model_id]
            require_operator(self.caller, "name_model", model_id)
        return self.inner.get_model(model_id)

    def list_computes(self) -> list[ComputeInfo]:
        return self.inner.list_computes()

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
        return self.inner.check_compute(
            model,
            compute,
            gpus=gpus,
            batch_size=batch_size,
            max_seq_length=max_seq_length,
            apply_lora=apply_lora,
        )

    def list_jobs(self) -> list[JobInfo]:
        return self.inner.list_jobs()

    def get_job(self, job_id: str) -> JobInfo:
        return self.inner.get_job(job_id)

    def read_logs(self, job_id: str, offsets: dict | None = None) -> LogChunk:
        return self.inner.read_logs(job_id, offsets)

    def get_metrics(self, job_id: str) -> dict[str, list[tuple[int, float]]]:
        return self.inner.get_metrics(job_id)

    def get_params(self, job_id: str) -> dict[str, str]:
        return self.inner.get_params(job_id)

    def list_registered_models(self) -> list[RegisteredModel]:
        return self.inner.list_registered_models()

    def list_endpoints(self) -> list[EndpointInfo]:
        return self.inner.list_endpoints()

    def scoring_target(self, name: str) -> ScoringTarget:
        """For chatting (every role); showing the key to a person is endpoint_keys.reveal_key."""
        return self.inner.scoring_target(name)

    # Spending money or changing state: operators only
    def add_model_folder(self, path: str | os.PathLike) -> ModelInfo:
        return self._as_operator(
            "add_model_folder", str(path), lambda: self.inner.add_model_folder(path)
        )

    def create_compute(
        self, name: str, size: str, min_nodes: int = 0, max_nodes: int = 1, tier: str = "dedicated"
    ) -> ComputeInfo:
        return self._as_operator(
            "create_compute",
            name,
            lambda: self.inner.create_compute(name, size, min_nodes, max_nodes, tier),
        )

    def submit_job(self, spec: JobSpec) -> JobInfo:
        return self._as_operator("submit", spec.display_name, lambda: self.inner.submit_job(spec))

    def cancel_job(self, job_id: str) -> None:
        self._as_operator("cancel", job_id, lambda: self.inner.cancel_job(job_id))

    def list_checkpoints(self, job_id: str) -> list[CheckpointInfo]:
        return self.inner.list_checkpoints(job_id)

    def resume_job(self, job_id: str, step: int | None = None) -> JobInfo:
        return self._as_operator("resume", job_id, lambda: self.inner.resume_job(job_id, step))

    def register_model(
        self, job_id: str, name: str | None = None, *, checkpoint: int | None = None
    ) -> RegisteredModel:
        return self._as_operator(
            "register",
            job_id,
            lambda: self.inner.register_model(job_id, name, checkpoint=checkpoint),
        )

    def deploy(
        self,
        model_name: str,
        version: str | None = None,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> EndpointInfo:
        return self._as_operator(
            "deploy",
            model_name,
            lambda: self.inner.deploy(model_name, version, on_progress=on_progress),
        )

    def evaluation_store(self) -> Any:
        return self.inner.evaluation_store()

    def offer_base_deployment(self, model_id: str, instance_type: str = "") -> DeploymentOffer:
        return self.inner.offer_base_deployment(model_id, instance_type)

    def deploy_base_model(
        self,
        model_id: str,
        *,
        instance_type: str = "",
        on_progress: ProgressCallback | None = None,
    ) -> EndpointInfo:
        return self._as_operator(
            "deploy",
            model_id,
            lambda: self.inner.deploy_base_model(
                model_id, instance_type=instance_type, on_progress=on_progress
            ),
        )

    def delete_endpoint(self, name: str) -> None:
        self._as_operator("delete", name, lambda: self.inner.delete_endpoint(name))

    def regenerate_key(self, name: str) -> None:
        self._as_operator("regenerate_key", name, lambda: self.inner.regenerate_key(name))
