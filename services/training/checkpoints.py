"""The checkpoints a local job kept: list them, and tell a usable one from a broken one.

Trainer writes <job_dir>/checkpoints/checkpoint-<step>/ every save_steps (save_total_limit of
them are kept): the weights (adapter_model.safetensors with LoRA, model.safetensors without),
optimizer.pt, scheduler.pt, rng_state.pth and trainer_state.json. A checkpoint is usable when
every one of those reads back whole; a worker killed while saving, a disk that filled up or a
hand-deleted file leaves one that is not, and it is listed with the reason.

Torch-free (zipfile and safetensors read the headers), so pages and the CLI can call it.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from services.backends.base import CheckpointInfo
from services.training.layout import CHECKPOINTS_DIR

PREFIX = "checkpoint-"
WEIGHT_FILES = ("adapter_model.safetensors", "model.safetensors")
# torch.save writes zip archives; a truncated one fails its central directory or a CRC.
STATE_FILES = ("optimizer.pt", "scheduler.pt")
TRAINER_STATE = "trainer_state.json"


def list_checkpoints(job_dir: Path) -> list[CheckpointInfo]:
    """The job's checkpoints, oldest first, each with its problem ("" when usable)."""
    folder = job_dir / CHECKPOINTS_DIR
    found = []
    for path in folder.glob(f"{PREFIX}*") if folder.is_dir() else ():
        match = re.fullmatch(rf"{PREFIX}(\d+)", path.name)
        if match and path.is_dir():
            step = int(match.group(1))
            found.append(CheckpointInfo(step=step, path=str(path), problem=_problem(path, step)))
    return sorted(found, key=lambda checkpoint: checkpoint.step)


def usable_checkpoint(job_dir: Path, step: int) -> CheckpointInfo | None:
    """The checkpoint at `step` when the job kept it and it is usable; else None."""
    for checkpoint in list_checkpoints(job_dir):
        if checkpoint.step == step and checkpoint.usable:
            return checkpoint
    return None


def has_adapter(checkpoint: Path) -> bool:
    """A LoRA checkpoint (adapter only) rather than a whole model."""
    return (checkpoint / "adapter_config.json").is_file()


def _problem(path: Path, step: int) -> str:
    """Why the checkpoint at `path` cannot be resumed or registered; "" when it can."""
    try:
        state = json.loads((path / TRAINER_STATE).read_text())
    except OSError:
        return f"{TRAINER_STATE} is missing"
    except ValueError:
        return f"{TRAINER_STATE} is not valid JSON"
    if not isinstance(state, dict) or state.get("global_step") != step:
        return f"{TRAINER_STATE} is not the state of step {step}"
    weights = [path / name for name in WEIGHT_FILES if (path / name).is_file()]
    if not weights:
        return f"no weights ({' or '.join(WEIGHT_FILES)})"
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(weights[0]), framework="numpy") as tensors:
            tensors.keys()
    except (OSError, SafetensorError) as error:
        return f"{weights[0].name} is unreadable ({error})"
    for name in STATE_FILES:
        try:
            with zipfile.ZipFile(path / name) as archive:
                broken = archive.testzip()
        except FileNotFoundError:
            return f"{name} is missing"
        except (OSError, zipfile.BadZipFile) as error:
            return f"{name} is unreadable ({error})"
        if broken is not None:
            return f"{name} is corrupt ({broken})"
    return ""
