"""What a job trained on, fingerprinted at submit, so a resume can tell whether it changed.

- The data: sha256 of each split file's bytes (the prepared train and test files). Prepared
  splits are megabytes, hashed in well under a second.
- The base model: the files it is loaded from, by name, size and modification time (hashing
  hundreds of megabytes of weights at every submit would cost seconds). For the bundled
  model that is its GGUF file inside the installed package (the converted folder is derived
  from it); for a model folder, the files in it; for a hub id, the id alone.

Torch-free: called in the process that submits the job.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from services.backends.base import JobSpec

CHUNK = 1 << 20


def fingerprint(spec: JobSpec) -> dict[str, str]:
    """{"train_file": sha256, "test_file": sha256, "model": digest}; "" for what is absent."""
    return {
        "train_file": _file_digest(spec.train_file),
        "test_file": _file_digest(spec.test_file),
        "model": _model_digest(spec.model_id),
    }


def changes(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    """What differs between a fingerprint at submit and one taken now, in words."""
    labels = {
        "train_file": "the training split",
        "test_file": "the test split",
        "model": "the base model",
    }
    return [
        f"{label} changed since the job was submitted"
        for key, label in labels.items()
        if recorded.get(key, "") != now.get(key, "")
    ]


def _file_digest(path: str) -> str:
    if not path or not Path(path).is_file():
        return ""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _model_digest(model_id: str) -> str:
    from services.local import catalog

    if model_id == catalog.BUNDLED_MODEL_ID:
        files = [catalog.bundled_gguf()]
    elif os.path.isabs(os.path.expanduser(model_id)) or Path(model_id).is_dir():
        folder = Path(model_id).expanduser()
        files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    else:  # a hub id: the files are the hub cache's, at the revision it holds
        return hashlib.sha256(model_id.encode()).hexdigest()
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
