"""Where local state lives.

Everything the local backend writes (converted models, prepared datasets, jobs, the MLflow
store, endpoints) lives under one folder, STUDIO_HOME. Default: ~/.fine-tune-studio.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = Path.home() / ".fine-tune-studio"


def studio_home() -> Path:
    """The root folder of local state, created on first use."""
    home = Path(os.environ.get("STUDIO_HOME") or DEFAULT_HOME).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _subdir(name: str) -> Path:
    path = studio_home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Converted and cached model folders (e.g. the bundled SmolLM2 as safetensors)."""
    return _subdir("models")


def datasets_dir() -> Path:
    """Prepared datasets, one folder each with <split>.jsonl files."""
    return _subdir("datasets")


def jobs_dir() -> Path:
    """One folder per local job: spec, log file, outputs."""
    return _subdir("jobs")


def endpoints_dir() -> Path:
    """One folder per local endpoint: state and its key (owner-only permissions)."""
    return _subdir("endpoints")


def mlflow_dir() -> Path:
    """The local MLflow store: sqlite database and artifact folder side by side."""
    return _subdir("mlflow")


def mlflow_tracking_uri() -> str:
    return f"sqlite:///{mlflow_dir() / 'mlflow.db'}"


def mlflow_artifact_root() -> Path:
    path = mlflow_dir() / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


OFFLINE_FLAGS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
ONLINE_VALUES = ("0", "false", "no", "off")


def hub_offline(*flags: str) -> bool:
    """Whether the studio keeps away from the Hugging Face hub (default: HF_HUB_OFFLINE).

    Offline unless every flag named is set to 0/false/no/off: the studio runs offline by
    default (see offline_env), so an unset flag means offline.
    """
    return any(
        os.environ.get(flag, "1").strip().lower() not in ONLINE_VALUES
        for flag in flags or ("HF_HUB_OFFLINE",)
    )


def offline_env() -> dict[str, str]:
    """Environment that keeps Hugging Face libraries from waiting on an unreachable hub.

    Without these, a hub id retries for ~49 s before failing. Set HF_HUB_OFFLINE=0 yourself
    to allow hub downloads on a machine that has network.
    """
    return {flag: os.environ.get(flag, "1") for flag in OFFLINE_FLAGS}
