"""The one protocol every page talks to, and the value objects that cross it.

Two implementations: `local` (default, offline, one machine) and `azure` (Azure ML via
azure-ai-ml). Pages never care which one produced a job, a metric or an endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

# Job statuses shown to users; both backends map their own values onto these.
RUNNING_STATUSES = ("queued", "running")
TERMINAL_STATUSES = ("finished", "failed", "killed")


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
    details: dict = field(default_factory=dict, hash=False, compare=False)

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
    status: str  # one of RUNNING_STATUSES or TERMINAL_STATUSES
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

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


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


@dataclass(frozen=True)
class EndpointInfo:
    """A deployed model that answers the Azure ML scoring contract."""

    name: str
    backend: str  # "local" or "azure"
    scoring_uri: str
    model_name: str = ""
    model_version: str = ""
    status: str = ""  # "running", "stopped", "failed", "provisioning", ...
    port: int | None = None
    started_at: float | None = None
    deployment: str = ""  # azure: the deployment that gets traffic ("demo")
    hourly_price: float | None = None
    streams: bool = False  # local endpoints can stream tokens


@dataclass(frozen=True)
class ScoringTarget:
    """What a chat client needs to call an endpoint. `key` is a secret: never log it."""

    scoring_uri: str
    key: str
    headers: dict = field(default_factory=dict, hash=False, compare=False)
    streams: bool = False


@runtime_checkable
class Backend(Protocol):
    """Where models, compute, jobs and endpoints live."""

    name: str  # "local" or "azure"

    # Models and compute (the wizard)
    def list_models(self) -> list[ModelInfo]: ...
    def get_model(self, model_id: str) -> ModelInfo: ...
    def list_computes(self) -> list[ComputeInfo]: ...
    def check_compute(
        self,
        model: ModelInfo,
        compute: str,
        *,
        gpus: int,
        batch_size: int,
        max_seq_length: int,
        apply_lora: bool = True,
    ) -> ComputeCheck: ...

    # Jobs
    def submit_job(self, spec: JobSpec) -> JobInfo: ...
    def list_jobs(self) -> list[JobInfo]: ...
    def get_job(self, job_id: str) -> JobInfo: ...
    def cancel_job(self, job_id: str) -> None: ...
    def read_logs(self, job_id: str, offsets: dict | None = None) -> LogChunk: ...
    def get_metrics(self, job_id: str) -> dict[str, list[tuple[int, float]]]: ...
    def get_params(self, job_id: str) -> dict[str, str]: ...

    # Register, deploy, chat
    def register_model(self, job_id: str, name: str | None = None) -> RegisteredModel: ...
    def list_registered_models(self) -> list[RegisteredModel]: ...
    def deploy(self, model_name: str, version: str | None = None) -> EndpointInfo: ...
    def list_endpoints(self) -> list[EndpointInfo]: ...
    def delete_endpoint(self, name: str) -> None: ...
    def scoring_target(self, name: str) -> ScoringTarget: ...
