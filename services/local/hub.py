"""Hugging Face hub ids, usable only when the hub is reachable.

The studio runs offline by default (services.config.offline_env sets HF_HUB_OFFLINE=1): then
the hub is "unreachable" at once, without the ~49 s of retries a hub call makes. Set
HF_HUB_OFFLINE=0 on a machine with network to list and download hub models.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from services import config
from services.backends.base import ModelInfo
from services.errors import HubUnreachableError, ModelError

HUB_HOST = "huggingface.co"
# Small chat models that fine-tune on one machine; offered when the hub is reachable.
SUGGESTED_HUB_MODELS = (
    "HuggingFaceTB/SmolLM2-135M-Instruct",
    "HuggingFaceTB/SmolLM2-360M-Instruct",
    "Qwen/Qwen2.5-0.5B-Instruct",
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class HubModelUnreachableError(ModelError, HubUnreachableError):
    """A hub model id was asked for while the hub cannot be reached."""


def looks_like_hub_id(model_id: str) -> bool:
    return bool(_HUB_ID.match(model_id))


def hub_reachable(timeout_s: float = 1.5) -> bool:
    if config.hub_offline():
        return False
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def unreachable_error(model_id: str, bundled_id: str) -> HubModelUnreachableError:
    return HubModelUnreachableError(
        f"The Hugging Face hub is unreachable from this machine, so {model_id!r} cannot be "
        "used (HF_HUB_OFFLINE is set or there is no network).",
        hint=f"Pick the bundled {bundled_id}, or download the model where there is network "
        "and add its folder by path (python -m services models add PATH).",
    )


def hub_model_info(model_id: str) -> ModelInfo:
    """Name and context length from the repo's config.json; parameters from its safetensors."""
    from huggingface_hub import get_safetensors_metadata

    model_config = hub_config(model_id)
    try:
        parameters = sum(get_safetensors_metadata(model_id).parameter_count.values())
    except Exception:  # no safetensors in the repo: the count is only nice to have
        parameters = None
    return ModelInfo(
        id=model_id,
        name=model_id.split("/")[-1],
        source="hub",
        parameters=parameters,
        context_length=model_config.get("max_position_embeddings"),
        path="",
    )


def hub_config(model_id: str) -> dict:
    """The repo's config.json (downloaded alone, into the Hugging Face cache)."""
    from huggingface_hub import hf_hub_download

    return json.loads(Path(hf_hub_download(model_id, "config.json")).read_text())


def download(model_id: str) -> Path:
    """A local snapshot of the repo (weights, config, tokenizer) in the Hugging Face cache."""
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja"]
    return Path(snapshot_download(model_id, allow_patterns=patterns))
