"""The one protocol every page talks to, and the value objects that cross it.

Two implementations: `local` (default, offline, one machine) and `azure` (Azure ML via
azure-ai-ml). Pages never care which one produced a job, a metric or an endpoint: what differs
is declared in `Backend.capabilities`, never found out by probing or by the backend's name.
Every error an operation raises is a services.errors.StudioError subclass; an operation a
backend does not offer raises UnsupportedError (check `capabilities` first to hide it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from services.status import EndpointStatus, JobStatus


@dataclass(frozen=True)
class Capabilities:
    """What a backend offers beyond the operations every backend has.

    A page shows a control only when its flag is set; the backend without it raises
    services.errors.UnsupportedError from the operation.
    """

    create_compute: bool = False  # Backend.create_compute: make a compute cluster
    deploy_base_model: bool = False  # Backend.deploy_base_model: serve a model with no adapter
    add_model_folder: bool = False  # Backend.add_model_folder: a model folder from this disk
    mlflow_ui: bool = False  # its runs live in the local MLflow store (`mlflow ui` shows them)
    evaluate: bool = False  # services.evaluation can score its finished jobs (local weights)
    # Backend.resume_job: continue a cancelled or failed job from its last kept checkpoint
    resume: bool = False
    # Backend.list_checkpoints, register_model(checkpoint=): register a kept checkpoint
    checkpoints: bool = False


@dataclass(frozen=True)
class DeploymentOffer:
    """What serving a base model would take and cost, before anyone accepts it."""

    model_id: str  # the model that will be deployed (azure: the registry asset id)
    model_name: str
    instance_type: str
    hourly_price: float | None  # the VM size's estimated price; None when unknown

    def describe(self) -> str:
        price = f"about ${self.hourly_price:.2f}/hour" if self.hourly_price else "price unknown"
        return (
            f"Deploy {self.model_name} from the azureml registry on {self.instance_type} "
            f"({price}, billed until it is deleted; the evaluation deletes it when done)"
        )


@dataclass(frozen=True)
class ModelInfo:
    """A chat model that can be fine-tuned."""

    id: str  # what the user picks and what a job records (local: catalog id; azure: asset id)
    name: str
    source: str  # "bundled", "folder", "hub", "azureml-registry"
    version: str = ""
    parameters: int | None = None  # parameter count, when known
    context_length: int | None = None
    has_chat_template: bool | None = None
    archived: bool = False  # azure: archived or deprecated in the registry
    path: str = ""  # local folder, when there is one
    # Parsed tags (azure): finetune_compute_allow_list, inference_compute_allow_list,
    # model_specific_defaults. Empty when the model has none.
    finetune_compute_allow_list: tuple[str, ...] = ()
    inference_compute_allow_list: tuple[str, ...] = ()
    model_specific_defaults: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ComputeInfo:
    """Somewhere a job can run: local cpu / cuda:N, or an Azure ML cluster."""

    name: str  # local: "cpu" or "cuda:0"; azure: cluster name
    kind: str  # "cpu", "gpu", "amlcompute"
    gpus: int = 0  # local: 1 per GPU device; azure: gpus per node
    memory_gb: float | None = None
    description: str = ""  # e.g. GPU model, VM size
    size: str = ""  # azure VM size
    provisioning_state: str = ""
    max_nodes: int | None = None
    hourly_price: float | None = None


@dataclass(frozen=True)
class ComputeCheck:
    """The outcome of validating a compute choice for a model and a batch shape."""

    ok: bool
    reasons: tuple[str, ...] = ()  # why it is refused (empty when ok)
    hints: tuple[str, ...] = ()  # what to change
    gpus: int = 0  # GPUs the job will use (per node on Azure); 0 = CPU
    required_memory_gb: float | None = None
    available_memory_gb: float | None = None
    # Every figure the check used, as the CLI's --json prints it; read the typed ones below.
    details: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def hourly_price(self) -> float | None:
        """The compute's price per node-hour (azure); None when unknown or free (local)."""
        return self.details.get("hourly_price")

    @property
    def quota(self) -> list[dict]:
        """The workspace region's GPU quota rows (azure); empty when unknown or local."""
        return self.details.get("quota") or []

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "reasons": list(self.reasons),
            "hints": list(self.hints),
            "gpus": self.gpus,
            "required_memory_gb": self.required_memory_gb,
            "available_memory_gb": self.available_memory_gb,
            "details": self.details,
        }


@dataclass(frozen=True)
class JobSpec:
    """Everything a submission needs, as the review step shows it."""

    model_id: str
    train_file: str
    test_file: str
    compute: str  # a ComputeInfo.name
    gpus: int  # 0 = CPU
    params: dict  # final fine-tune parameters (services.params)
    display_name: str
    experiment_name: str = ""


@dataclass(frozen=True)
class JobInfo:
    """A job as the Jobs page lists it."""

    id: str
    status: JobStatus  # a plain word ("running") is taken as its JobStatus
    model_id: str = ""
    display_name: str = ""
    started_at: float | None = None  # epoch seconds
    ended_at: float | None = None
    step: int | None = None  # local: progress
    total_steps: int | None = None
    error: str = ""  # failed: the end of the log or the service's message
    studio_url: str = ""  # azure: where the run lives in Azure ML studio
    run_id: str = ""  # MLflow run id
    eta_seconds: float | None = None  # local: estimated time left while running
    queue_position: int | None = None  # local, while queued: 1 = the next to start
    resumed_from: str = ""  # local: the job this one continues (Backend.resume_job)
    resumed_from_step: int | None = None  # the step of that job's checkpoint it started at
    cancel_requested: bool = False  # a cancel was sent and the job has not stopped yet

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", JobStatus(self.status))

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal


@dataclass(frozen=True)
class LogChunk:
    """New log text since the offsets the caller already has (per log file)."""

    text: str
    offsets: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    version: str
    source_job: str = ""
    uri: str = ""
    base_model: str = ""  # the model id the job fine-tuned (for a base-model comparison)
    created_at: float | None = None  # epoch seconds
    run_id: str = ""  # the training run it came from (lineage)
    checkpoint_step: int | None = None  # registered from this kept checkpoint; None: final model


@dataclass(frozen=True)
class CheckpointInfo:
    """A checkpoint a job kept (Trainer's checkpoint-<step> folder)."""

    step: int
    path: str
    problem: str = ""  # why it cannot be used (missing or corrupt files); "" when usable

    @property
    def usable(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class EndpointInfo:
    """A deployed model that answers the Azure ML scoring contract."""

    name: str
    backend: str  # "local" or "azure"
    scoring_uri: str
    model_name: str = ""
    model_version: str = ""
    status: EndpointStatus = EndpointStatus.UNKNOWN  # a plain word is taken as its status
    port: int | None = None
    started_at: float | None = None
    deployment: str = ""  # azure: the deployment that gets traffic ("demo")
    hourly_price: float | None = None
    streams: bool = False  # local endpoints can stream tokens

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", EndpointStatus(self.status))


@dataclass(frozen=True)
class ScoringTarget:
    """What a chat client needs to call an endpoint. `key` is a secret: never log it."""

    scoring_uri: str
    key: str
    headers: dict = field(default_factory=dict, hash=False, compare=False)
    streams: bool = False


ProgressCallback = Callable[[str], None]  # one line of progress for the user, as it happens


@runtime_checkable
class Backend(Protocol):
    """Where models, compute, jobs and endpoints live.

    Errors: each operation raises only services.errors.StudioError subclasses (the ones named
    per method; AzureError on azure for a connection, permission or service failure anywhere).
    """

    name: str  # "local" or "azure": for display and records, never to branch on
    capabilities: Capabilities

    # Models and compute (the wizard)
    def list_models(self) -> list[ModelInfo]:
        """The chat models that can be fine-tuned, current ones first. Raises AzureError."""
        ...

    def get_model(self, model_id: str) -> ModelInfo:
        """One model by `ModelInfo.id` (local: also a folder path or a hub id).

        Raises ModelError when it is unknown or unreadable.
        """
        ...

    def add_model_folder(self, path: str | os.PathLike) -> ModelInfo:
        """Add a Hugging Face model folder on this machine to the list of models.

        Raises ModelError when the folder holds no loadable chat model; UnsupportedError
        unless `capabilities.add_model_folder`.
        """
        ...

    def list_computes(self) -> list[ComputeInfo]:
        """Where a job can run (local devices or Azure ML clusters). Raises AzureError."""
        ...

    def create_compute(
        self, name: str, size: str, min_nodes: int = 0, max_nodes: int = 1, tier: str = "dedicated"
    ) -> ComputeInfo:
        """Create a cluster of `size` VMs scaling between min_nodes and max_nodes; waits.

        `tier` is "dedicated" or "low_priority". Raises ValidationError for refused values,
        AzureError when the service refuses; UnsupportedError unless
        `capabilities.create_compute`.
        """
        ...

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
        """Whether `model` fits on `compute` (a ComputeInfo.name) with this batch shape.

        A refusal comes back as `ComputeCheck(ok=False, reasons=...)`, not as an error.
        Raises AzureError when the compute or its quota cannot be read.
        """
        ...

    # Jobs
    def submit_job(self, spec: JobSpec) -> JobInfo:
        """Start (or queue) a fine-tuning job; returns it as first listed.

        Raises ValidationError for refused parameters, ModelError / DatasetError for an
        unusable model or file, JobError when it cannot be started.
        """
        ...

    def list_jobs(self) -> list[JobInfo]:
        """Every job, newest first. Raises AzureError."""
        ...

    def get_job(self, job_id: str) -> JobInfo:
        """One job's current state. Raises JobError when there is no such job."""
        ...

    def cancel_job(self, job_id: str) -> None:
        """Ask a queued or running job to stop. Raises JobError when there is no such job."""
        ...

    def read_logs(self, job_id: str, offsets: dict | None = None) -> LogChunk:
        """Log text written since `offsets` (from the previous LogChunk; None: from the start).

        Raises JobError when there is no such job.
        """
        ...

    def get_metrics(self, job_id: str) -> dict[str, list[tuple[int, float]]]:
        """Metric name -> [(step, value)] of the job's training run (empty before any).

        Raises JobError when there is no such job, AzureError when tracking cannot be read.
        """
        ...

    def get_params(self, job_id: str) -> dict[str, str]:
        """The job's logged parameters as strings. Raises JobError when there is no such job."""
        ...

    def list_checkpoints(self, job_id: str) -> list[CheckpointInfo]:
        """The checkpoints the job kept, oldest first (each says whether it is usable).

        Raises JobError when there is no such job; UnsupportedError unless
        `capabilities.checkpoints`.
        """
        ...

    def resume_job(self, job_id: str, step: int | None = None) -> JobInfo:
        """A new job that continues a cancelled or failed job from its checkpoint at `step`
        (None: the newest), with its optimizer, scheduler and data order; returns at once.

        Raises JobError when the job cannot be resumed (still running, finished, no usable
        checkpoint, its data or base model changed since); UnsupportedError unless
        `capabilities.resume`.
        """
        ...

    # Register, deploy, chat
    def register_model(
        self, job_id: str, name: str | None = None, *, checkpoint: int | None = None
    ) -> RegisteredModel:
        """Register a finished job's output as the next version of `name` (default: derived),
        or the checkpoint it kept at step `checkpoint` (any job that kept one).

        Raises JobError when the job is unknown or not finished, ModelError when it left no
        model to register (or no usable checkpoint at that step); UnsupportedError for a
        checkpoint unless `capabilities.checkpoints`.
        """
        ...

    def list_registered_models(self) -> list[RegisteredModel]:
        """Every registered model version, newest first. Raises AzureError."""
        ...

    def deploy(
        self,
        model_name: str,
        version: str | None = None,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> EndpointInfo:
        """Serve a registered model version (None: the latest) and wait until it answers.

        `on_progress` gets one line per step as it happens (the page writes them out).
        Raises ModelError for an unknown model or version, EndpointError when the endpoint
        does not come up, ValidationError (azure) when the instance type is refused.
        """
        ...

    def evaluation_store(self) -> Any:
        """The MLflow tracking store where evaluations through endpoints are recorded (azure:
        the workspace's, read and written with this connection's credential).

        Raises AzureError when the workspace has no MLflow tracking URI; UnsupportedError on a
        backend whose evaluations run in a local worker (it records them itself).
        """
        ...

    def offer_base_deployment(self, model_id: str, instance_type: str = "") -> DeploymentOffer:
        """What deploy_base_model would take: the instance type (default: the first the model
        allows for inference) and its hourly price. Nothing is created.

        Raises ModelError for an unknown model, ValidationError for an instance type the model
        does not allow; UnsupportedError unless `capabilities.deploy_base_model` and the backend
        bills for deployments (local endpoints cost nothing: there is nothing to offer).
        """
        ...

    def deploy_base_model(
        self,
        model_id: str,
        *,
        instance_type: str = "",
        on_progress: ProgressCallback | None = None,
    ) -> EndpointInfo:
        """Serve a base model with no adapter (the "before" of a comparison); waits.
        `instance_type`: as offered (azure; default: the first the model allows).

        Raises ModelError for an unknown model, EndpointError when the endpoint does not come
        up; UnsupportedError unless `capabilities.deploy_base_model`.
        """
        ...

    def list_endpoints(self) -> list[EndpointInfo]:
        """Every endpoint and its current status. Raises AzureError."""
        ...

    def delete_endpoint(self, name: str) -> None:
        """Stop an endpoint and free what it holds. Raises EndpointError when it is unknown."""
        ...

    def regenerate_key(self, name: str) -> None:
        """Give the endpoint a new key; the old one is refused from now on.

        Local: a new key the running server checks from its next request. Azure:
        online_endpoints.begin_regenerate_keys (primary key), waited for. The new key is read
        with `scoring_target`, never returned here, so it passes through one place only.
        Raises EndpointError when the endpoint is unknown or has no key (token auth).
        """
        ...

    def scoring_target(self, name: str) -> ScoringTarget:
        """URI, key and headers to chat with an endpoint.

        Raises EndpointError when it is unknown or not ready.
        """
        ...
