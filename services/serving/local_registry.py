"""Register finished local jobs in the MLflow model registry of the local store.

A registered version is an MLflow pyfunc (services/serving/chat_model.py) that holds the LoRA
adapter and points at the base model: small, loadable offline, and linked to the job's run
(the version's run_id is the training run). Registering the same job again adds a new version
of the same logged model, so nothing is copied twice.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from services import config, tracking
from services.backends.base import CheckpointInfo, RegisteredModel
from services.errors import ModelError
from services.training import job_record
from services.training.job_record import JobRecord
from services.training.layout import ADAPTER_DIR, JOB_FILE, MODEL_DIR

log = logging.getLogger(__name__)

CHAT_MODEL_CODE = Path(__file__).with_name("chat_model.py")
LOGGED_MODEL_PATH = "chat_model"  # artifact folder of the pyfunc in the job's run
LOGGED_MODEL_TAG = "studio.logged_model_uri"  # on the job's run: the pyfunc logged for it
JOB_TAG = "studio.job_id"
BASE_MODEL_TAG = "studio.base_model_id"
CHECKPOINT_TAG = "studio.checkpoint_step"  # on a version registered from a kept checkpoint
# What a LoRA checkpoint folder holds of the adapter (the rest is optimizer and Trainer state).
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
# What the pyfunc needs to load; pinned to this environment. Passed explicitly because MLflow's
# inference would add packages that are not installed here (torchvision).
RUNTIME_PACKAGES = ("mlflow", "torch", "transformers", "peft", "accelerate", "safetensors")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class ModelVersionRef:
    """What a local endpoint needs to load one registered version."""

    name: str
    version: str
    uri: str  # models:/<name>/<version>
    base_model_id: str
    job_id: str


def default_model_name(model_id: str) -> str:
    """The guide's naming: <model>-ultrachat-200k, from the base model's last path part."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(model_id.rstrip("/")).name).strip("-.")
    return f"{base or 'model'}-ultrachat-200k"


def register_model(
    job_id: str, name: str | None = None, *, checkpoint: int | None = None
) -> RegisteredModel:
    """Register a finished job's adapter as a new version of `name` (default from its model),
    or, with `checkpoint`, the checkpoint the job kept at that step (any job that kept one)."""
    if checkpoint is None:
        job, kept = _read_finished_job(job_id), None
    else:
        job, kept = _read_checkpoint_job(job_id, checkpoint)
    name = (name or "").strip() or default_model_name(job.model_id)
    if not NAME_PATTERN.match(name):
        raise ModelError(
            f"{name!r} is not a valid model name.",
            "Use letters, digits, '.', '_' or '-' (up to 128 characters, starting with a letter "
            "or digit).",
        )
    mlflow = _mlflow()
    run_id = _lineage_run(job)
    model_uri = _logged_model_uri(job, run_id, kept)
    tags = {JOB_TAG: job_id, BASE_MODEL_TAG: job.model_id}
    if kept is not None:
        tags[CHECKPOINT_TAG] = str(kept.step)
    version = mlflow.register_model(model_uri, name, tags=tags)
    log.info("registered job %s as %s version %s", job_id, name, version.version)
    return _registered(version)


def list_registered_models() -> list[RegisteredModel]:
    """Every registered version, newest first within each name."""
    if not (config.mlflow_dir() / "mlflow.db").exists():
        return []  # no store yet, so nothing registered: creating one takes seconds
    client = _client()
    versions = client.search_model_versions(max_results=10_000)
    ordered = sorted(versions, key=lambda v: (v.name, -int(v.version)))
    return [_registered(v) for v in ordered]


def get_version(name: str, version: str | None = None) -> ModelVersionRef:
    """One registered version (the latest when `version` is None), ready to load."""
    versions = [v for v in _client().search_model_versions(f"name = '{_quote(name)}'")]
    if not versions:
        raise ModelError(
            f"No registered model named {name!r}.",
            "Register a finished job first (Deploy page, or `python -m services register JOB`).",
        )
    if version is None:
        chosen = max(versions, key=lambda v: int(v.version))
    else:
        matches = [v for v in versions if str(v.version) == str(version)]
        if not matches:
            known = ", ".join(sorted((str(v.version) for v in versions), key=int))
            raise ModelError(f"{name!r} has no version {version}.", f"Known versions: {known}.")
        chosen = matches[0]
    return ModelVersionRef(
        name=chosen.name,
        version=str(chosen.version),
        uri=f"models:/{chosen.name}/{chosen.version}",
        base_model_id=chosen.tags.get(BASE_MODEL_TAG, ""),
        job_id=chosen.tags.get(JOB_TAG, ""),
    )


def _read_finished_job(job_id: str) -> JobRecord:
    """The job's record; raises UnreadableRecord (a JobError) when job.json cannot be read."""
    job_dir = config.jobs_dir() / job_id
    if not (job_dir / JOB_FILE).exists():
        raise ModelError(
            f"No local job {job_id!r}.", "List jobs with `python -m services jobs list`."
        )
    job = job_record.load(job_dir)
    job.model_id = job.model_id or job.spec.get("model_id", "")
    if (
        not (job_dir / ADAPTER_DIR / "adapter_config.json").exists()
        and not (job_dir / MODEL_DIR / "config.json").exists()
    ):
        raise ModelError(
            f"Job {job_id!r} has no trained adapter yet.",
            "Only finished jobs can be registered: wait for it to finish, or pick another job.",
        )
    return job


def _read_checkpoint_job(job_id: str, step: int) -> tuple[JobRecord, CheckpointInfo]:
    """The job's record and the usable checkpoint it kept at `step`."""
    from services.training.checkpoints import usable_checkpoint

    job_dir = config.jobs_dir() / job_id
    if not (job_dir / JOB_FILE).exists():
        raise ModelError(
            f"No local job {job_id!r}.", "List jobs with `python -m services jobs list`."
        )
    kept = usable_checkpoint(job_dir, step)
    if kept is None:
        raise ModelError(
            f"Job {job_id!r} kept no usable checkpoint at step {step}.",
            "See its checkpoints on the Deploy page, or register the final model.",
        )
    job = job_record.load(job_dir)
    job.model_id = job.model_id or job.spec.get("model_id", "")
    return job, kept


def _lineage_run(job: JobRecord) -> str:
    """The job's MLflow run; a new run tagged with the job id when the store has none."""
    client = _client()
    run_id = job.run_id
    if run_id:
        try:
            return client.get_run(run_id).info.run_id
        except Exception:  # the run is gone (store reset): keep the lineage as a tag instead
            log.warning("run %s of job %s is not in the local store", run_id, job.id)
    experiment_id = tracking.ensure_experiment(
        client,
        tracking.experiment_name(Path(job.model_id.rstrip("/")).name),
        config.mlflow_artifact_root(),
    )
    run = client.create_run(experiment_id, run_name=f"register-{job.id}", tags={JOB_TAG: job.id})
    client.set_terminated(run.info.run_id)
    return run.info.run_id


def _logged_model_uri(job: JobRecord, run_id: str, kept: CheckpointInfo | None) -> str:
    """Save the pyfunc (adapter only; `kept`: that checkpoint's) into the job's run once;
    reuse it for later versions.

    Saved and uploaded with the client rather than `log_model` inside `start_run(run_id)`:
    re-opening the run would flip a finished (or killed) job's status when it ends.
    """
    client = _client()
    step = kept.step if kept is not None else None
    # One logged pyfunc per run for the final model, and one per kept checkpoint.
    suffix = "" if step is None else f"-step{step}"
    tag, artifact_path = LOGGED_MODEL_TAG + suffix, LOGGED_MODEL_PATH + suffix
    existing = client.get_run(run_id).data.tags.get(tag)
    if existing:
        return existing
    mlflow = _mlflow()
    base_model_id, job_dir = job.model_id, config.jobs_dir() / job.id
    adapter = job_dir / ADAPTER_DIR
    # A job trained without LoRA leaves a whole model: point at it rather than copy it.
    base_folder = str(job_dir / MODEL_DIR) if not adapter.exists() else ""
    with tempfile.TemporaryDirectory() as scratch:
        if kept is not None:
            adapter, base_folder = _checkpoint_weights(Path(kept.path), Path(scratch))
        folder = Path(scratch) / LOGGED_MODEL_PATH
        mlflow.pyfunc.save_model(
            path=str(folder),
            python_model=str(CHAT_MODEL_CODE),
            artifacts={"adapter": str(adapter)} if adapter.exists() else None,
            model_config={
                "base_model_id": base_model_id,
                "base_model_path": base_folder or _base_model_folder(base_model_id),
                "job_id": job.id,
            },
            pip_requirements=_pinned_requirements(),
        )
        client.log_artifacts(run_id, str(folder), artifact_path=artifact_path)
    uri = f"runs:/{run_id}/{artifact_path}"
    client.set_tag(run_id, tag, uri)
    return uri


def _checkpoint_weights(checkpoint: Path, scratch: Path) -> tuple[Path, str]:
    """(adapter folder, whole-model folder) of a checkpoint: a LoRA checkpoint's adapter files
    copied apart (the optimizer state beside them is not part of the model), or the checkpoint
    folder itself as the model when it trained without LoRA."""
    from services.training.checkpoints import has_adapter

    adapter = scratch / "checkpoint-adapter"
    if not has_adapter(checkpoint):
        return adapter, str(checkpoint)  # `adapter` does not exist: the whole model is used
    adapter.mkdir()
    for name in ADAPTER_FILES:
        shutil.copy2(checkpoint / name, adapter / name)
    return adapter, ""


def _base_model_folder(model_id: str) -> str:
    """Where the base model lives now; the id alone is enough to find it again later."""
    if Path(model_id).is_dir():
        return str(Path(model_id).resolve())
    try:
        from services.local.catalog import model_path

        return str(model_path(model_id))
    except Exception:  # resolved at load time from the id instead
        return ""


def _pinned_requirements() -> list[str]:
    pins = []
    for package in RUNTIME_PACKAGES:
        try:
            pins.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pins.append(package)
    return pins


def _registered(version) -> RegisteredModel:
    return RegisteredModel(
        name=version.name,
        version=str(version.version),
        source_job=version.tags.get(JOB_TAG, ""),
        uri=f"models:/{version.name}/{version.version}",
        base_model=version.tags.get(BASE_MODEL_TAG, ""),
        created_at=version.creation_timestamp / 1000 if version.creation_timestamp else None,
        run_id=version.run_id or "",
        checkpoint_step=int(step) if (step := version.tags.get(CHECKPOINT_TAG)) else None,
    )


def _quote(value: str) -> str:
    return value.replace("'", "\\'")


def _mlflow():
    """mlflow pointed at this STUDIO_HOME's store (imported lazily: it takes ~2 s)."""
    import mlflow

    mlflow.set_tracking_uri(config.mlflow_tracking_uri())
    mlflow.set_registry_uri(config.mlflow_tracking_uri())
    return mlflow


def _client():
    from mlflow import MlflowClient

    uri = config.mlflow_tracking_uri()
    return MlflowClient(tracking_uri=uri, registry_uri=uri)
