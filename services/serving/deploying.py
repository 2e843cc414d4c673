"""Register → deploy: what a finished job offers to register, which registered versions can be
deployed and how, and the deploy itself. The Deploy page and its tests share these."""

from __future__ import annotations

from services.backends.base import Backend, EndpointInfo, JobInfo, ProgressCallback, RegisteredModel
from services.security.audit import started_by
from services.serving.display import endpoint_rows


def register_choices(backend: Backend, job: JobInfo) -> list[int | None]:
    """What of `job` can be registered: None is its final model, a number a kept checkpoint
    (newest first)."""
    final: list[int | None] = [None] if job.status == "finished" else []
    if not backend.capabilities.checkpoints:
        return final
    kept = [c.step for c in reversed(backend.list_checkpoints(job.id)) if c.usable]
    return final + kept


def registrable_jobs(backend: Backend) -> dict[JobInfo, list[int | None]]:
    """Every ended job that has something to register, with what it offers."""
    ended = [job for job in backend.list_jobs() if job.is_terminal]
    choices = {job: register_choices(backend, job) for job in ended}
    return {job: what for job, what in choices.items() if what}


def checkpoint_label(step: int | None) -> str:
    return "the final model" if step is None else f"checkpoint, step {step}"


def version_rows(versions: list[RegisteredModel]) -> list[dict]:
    """One table row per registered version: its lineage (job, step, base model)."""
    return [
        {
            "name": v.name,
            "version": v.version,
            "job": v.source_job,
            "step": "final" if v.checkpoint_step is None else str(v.checkpoint_step),
            "base": v.base_model,
        }
        for v in versions
    ]


def version_label(version: RegisteredModel) -> str:
    step = version.checkpoint_step
    return f"{version.name} : {version.version}" + ("" if step is None else f" (step {step})")


def find_version(
    versions: list[RegisteredModel], name_version: tuple[str, str]
) -> RegisteredModel | None:
    """The version registered as (name, version), if it is listed."""
    return next((v for v in versions if (v.name, v.version) == name_version), None)


def can_deploy_base(backend: Backend, version: RegisteredModel) -> bool:
    """Whether the base model `version` was tuned from can be served too, for comparison."""
    return backend.capabilities.deploy_base_model and bool(version.base_model)


def deploy_target(version: RegisteredModel, *, base: bool) -> str:
    """What a deploy of `version` (or of its base model) serves, in words."""
    return f"the base model of {version.name}" if base else version.uri or version.name


def deploy_version(
    backend: Backend,
    version: RegisteredModel,
    *,
    base: bool = False,
    on_progress: ProgressCallback | None = None,
) -> EndpointInfo:
    """Serve `version`, or with `base` the base model it was tuned from; waits until it answers.
    Raises what deploy_model raises."""
    if base:
        return deploy_model(backend, version.base_model, base=True, on_progress=on_progress)
    return deploy_model(backend, version.name, version.version, on_progress=on_progress)


def deploy_model(
    backend: Backend,
    model: str,
    version: str | None = None,
    *,
    base: bool = False,
    on_progress: ProgressCallback | None = None,
) -> EndpointInfo:
    """The one deploy chain, for the Deploy page and `python -m services deploy`: serve the
    registered `model` at `version` (None: the latest), or with `base` the base model `model`
    names (catalog id or folder) with no adapter; waits until it answers.

    Raises what Backend.deploy / deploy_base_model raise: UnsupportedError for `base` unless
    `backend.capabilities.deploy_base_model`.
    """
    if base:
        return backend.deploy_base_model(model, on_progress=on_progress)
    return backend.deploy(model, version, on_progress=on_progress)


def endpoint_table(endpoints: list[EndpointInfo]) -> list[dict]:
    """The Deploy page's endpoint rows: endpoint_rows plus who started each (audit log)."""
    starters = started_by("deploy")
    return [
        {**row, "started by": starters.get(e.name, "")}
        for row, e in zip(endpoint_rows(endpoints), endpoints, strict=True)
    ]
