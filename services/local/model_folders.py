"""Hugging Face model folders on disk: validate one, describe it, remember the ones added.

A folder's model id is its absolute path. The list of added folders lives in
models_dir()/folders.json so the app and the CLI see the same catalog.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
from pathlib import Path

from services import config
from services.atomic_files import write_json
from services.backends.base import ModelInfo
from services.errors import ModelError
from services.local.memory_estimate import ModelShape
from services.local.model_cache import converter, ensure_built

FOLDERS_FILE = "folders.json"
# Keys different model families use for the longest sequence the model was trained for.
_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length")


def validate_model_folder(path: str | os.PathLike) -> Path:
    """The folder's absolute path, or ModelError naming everything it lacks."""
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise ModelError(
            f"{folder} is not a folder.",
            hint="Give the path of a Hugging Face model folder (the one holding config.json).",
        )
    problems = []
    model_config = _read_json(folder / "config.json")
    if model_config is None:
        problems.append("no readable config.json")
    elif not _is_causal_lm(model_config):
        problems.append(f"architectures {model_config['architectures']} has no *ForCausalLM model")
    if not _weight_files(folder):
        problems.append("no weights (*.safetensors or pytorch_model*.bin)")
    if not _has_tokenizer(folder):
        problems.append("no tokenizer (tokenizer.json, tokenizer.model or vocab.json + merges.txt)")
    if problems:
        raise ModelError(
            f"{folder} is not a usable chat model folder: {'; '.join(problems)}.",
            hint="Save the model and its tokenizer there with save_pretrained(), "
            "or download a full snapshot of a Hugging Face model repository.",
        )
    return folder


def folder_model_info(path: str | os.PathLike) -> ModelInfo:
    folder = validate_model_folder(path)
    model_config = _read_json(folder / "config.json") or {}
    text_config = model_config.get("text_config") or model_config
    context = next((text_config[key] for key in _CONTEXT_KEYS if key in text_config), None)
    parameters = _safetensors_parameter_count(folder)
    return ModelInfo(
        id=str(folder),
        name=folder.name,
        source="folder",
        parameters=parameters or ModelShape.from_config(model_config).parameters,
        context_length=context,
        has_chat_template=_has_chat_template(folder),
        path=str(folder),
    )


def folder_shape(path: str | os.PathLike) -> ModelShape:
    folder = validate_model_folder(path)
    shape = ModelShape.from_config(_read_json(folder / "config.json") or {})
    counted = _safetensors_parameter_count(folder)
    return shape.with_parameters(counted) if counted else shape


def folder_tokenizer_file(path: str | os.PathLike) -> Path:
    """The folder's tokenizer.json, or a fast tokenizer converted once from its slow files."""
    folder = validate_model_folder(path)
    if (folder / "tokenizer.json").is_file():
        return folder / "tokenizer.json"
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    target = config.models_dir() / "folders" / f"{folder.name}-{digest}" / "tokenizer"
    what = f"the tokenizer of {folder}"
    build = converter(["tokenizer", "--folder", str(folder)], what=what, timeout_s=300)
    ensure_built(target, build, what=what)
    return target / "tokenizer.json"


def added_folders() -> list[str]:
    data = _read_json(config.models_dir() / FOLDERS_FILE)
    return list(data.get("folders", [])) if data else []


def remember_folder(folder: Path) -> None:
    folders = added_folders()
    if str(folder) not in folders:
        _write_folders([*folders, str(folder)])


def forget_folder(path: str | os.PathLike) -> None:
    folder = str(Path(path).expanduser().resolve())
    _write_folders([f for f in added_folders() if f != folder])


def _write_folders(folders: list[str]) -> None:
    write_json(config.models_dir() / FOLDERS_FILE, {"folders": folders})


def _read_json(file: Path) -> dict | None:
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_causal_lm(model_config: dict) -> bool:
    architectures = model_config.get("architectures") or []
    return not architectures or any(a.endswith("ForCausalLM") for a in architectures)


def _weight_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.safetensors")) + sorted(folder.glob("pytorch_model*.bin"))


def _has_tokenizer(folder: Path) -> bool:
    return (
        (folder / "tokenizer.json").is_file()
        or (folder / "tokenizer.model").is_file()
        or ((folder / "vocab.json").is_file() and (folder / "merges.txt").is_file())
    )


def _has_chat_template(folder: Path) -> bool:
    if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
        return True
    return bool((_read_json(folder / "tokenizer_config.json") or {}).get("chat_template"))


def _safetensors_parameter_count(folder: Path) -> int | None:
    """Exact count from the safetensors headers (8-byte length, then JSON), no tensor read."""
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    total = 0
    for file in files:
        with open(file, "rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(length))
        total += sum(math.prod(t["shape"]) for k, t in header.items() if k != "__metadata__")
    return total
