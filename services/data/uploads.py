"""Where an uploaded conversation file is stored: STUDIO_HOME/uploads/<content hash>/<safe name>.

The browser names the file, so the name is untrusted: only its last part is kept, reduced to
letters, digits, ".", "-" and "_", and it must end in a dataset suffix. The folder is the
content's hash, so two people uploading different "train.jsonl" files never overwrite each
other, and the same bytes uploaded twice are stored once. The size limit is Streamlit's
server.maxUploadSize (.streamlit/config.toml): larger files never reach this code.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePath

from services import config
from services.atomic_files import write_bytes
from services.errors import DatasetError
from services.security.roles import Caller, require_operator

SUFFIXES = (".jsonl", ".json", ".parquet")


def safe_upload_name(name: str) -> str:
    """The browser's file name made safe to store, or DatasetError for another kind of file."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.-]+", "-", base, flags=re.ASCII).strip("-.")
    if not cleaned.lower().endswith(SUFFIXES) or cleaned.lower() in SUFFIXES:
        raise DatasetError(
            f"{name!r} is not a conversation file.",
            "Upload a .jsonl, .json or .parquet file.",
        )
    return cleaned[-120:]


def save_upload(name: str, data: bytes, *, caller: Caller | None = None) -> Path:
    """Store an upload under STUDIO_HOME/uploads and return its path (operators only)."""
    require_operator(caller, "upload", safe_upload_name(name))
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = config.studio_home() / "uploads" / digest / safe_upload_name(name)
    if target.is_file() and target.stat().st_size == len(data):
        return target  # the same bytes, stored before (the folder is their hash)
    return write_bytes(target, data)
