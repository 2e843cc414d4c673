"""What the tuned model is compared against, and which job a MODEL[:V] names.

`--against` takes `base` (the job's own base model, the default), `MODEL[:V]` (a registered
version of a fine-tune of the same base model: its weights are loaded by the worker, so
perplexity is comparable) or an endpoint's name (replies through the scoring client; an
endpoint returns text, not token scores, so its perplexity is not measured).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services import config
from services.errors import ModelError, StudioError
from services.evaluation.errors import EvaluationError
from services.evaluation.remote import Remote, check_chat

BASE = "base"


@dataclass(frozen=True)
class Comparator:
    label: str  # shown in the verdict: "base", "chat-model:2", "endpoint my-endpoint"
    kind: str  # "base", "model" or "endpoint"
    job_id: str = ""  # kind "model": the job whose weights the worker loads
    remote: Remote | None = field(default=None, compare=False)  # kind "endpoint"

    def describe(self) -> dict:
        """What evaluation.json keeps (no key)."""
        described = {"label": self.label, "kind": self.kind, "job_id": self.job_id}
        return {**described, "remote": self.remote.describe() if self.remote else None}


def _registered_version(text: str):
    """The registered version `text` names (MODEL or MODEL:V), or None when it names none."""
    from services.serving import local_registry

    name, _, version = text.partition(":")
    known = {model.name for model in local_registry.list_registered_models()}
    if name not in known:
        if version:
            raise ModelError(
                f"No registered model named {name!r}.",
                "Register a finished job first (`python -m services register JOB`).",
            )
        return None
    return local_registry.get_version(name, version or None)


def job_of(subject: str) -> str:
    """The job to evaluate: a job id as is, or the job a registered MODEL[:V] came from."""
    if subject and (config.jobs_dir() / subject).is_dir():
        return subject
    version = _registered_version(subject) if subject else None
    if version is None or not version.job_id:
        raise EvaluationError(
            f"{subject!r} is neither a local job nor a registered model version of one.",
            "Give a job id (`python -m services jobs list`) or MODEL[:VERSION] "
            "(the Deploy page lists registered versions).",
        )
    return version.job_id


def resolve(against: str, job_id: str, base_model_id: str, backend) -> Comparator:
    """The comparator `against` names, checked: EvaluationError/EndpointError say what to do."""
    against = (against or BASE).strip()
    if against == BASE:
        return Comparator(BASE, BASE)
    version = _registered_version(against)
    if version is not None:
        if version.job_id == job_id:
            raise EvaluationError(
                f"{version.name}:{version.version} is the model being evaluated.",
                "Compare against its base model (`--against base`) or another version.",
            )
        if not version.job_id:
            raise EvaluationError(
                f"{version.name}:{version.version} does not come from a local job.",
                "Deploy it and compare against its endpoint instead.",
            )
        if version.base_model_id != base_model_id:
            raise EvaluationError(
                f"{version.name}:{version.version} fine-tunes {version.base_model_id}, not "
                f"{base_model_id}: perplexities over different tokenizers do not compare.",
                "Compare against a version of the same base model, or deploy it and compare "
                "against its endpoint (replies only).",
            )
        return Comparator(f"{version.name}:{version.version}", "model", job_id=version.job_id)
    try:
        target = backend.scoring_target(against)
    except StudioError as error:
        raise EvaluationError(
            f"{against!r} is neither 'base', a registered model nor an endpoint: {error.message}",
            "Use --against base, MODEL[:VERSION] (Deploy page: registered versions) or a "
            "running endpoint (`python -m services endpoints list`).",
        ) from error
    remote = Remote(against, target)
    check_chat(remote, "The comparator endpoint")
    return Comparator(f"endpoint {against}", "endpoint", remote=remote)


def choices(backend, job_id: str, base_model_id: str) -> list[str]:
    """What the page offers to compare against: base, the registered versions of other jobs of
    the same base model, and the running endpoints."""
    versions = [
        f"{m.name}:{m.version}"
        for m in backend.list_registered_models()
        if m.base_model == base_model_id and m.source_job and m.source_job != job_id
    ]
    running = [e.name for e in backend.list_endpoints() if e.status == "running"]
    return [BASE, *versions, *running]
