"""Hugging Face hub datasets through the `datasets` library, failing fast when offline.

Offline by default, as the whole studio (services/config.py hub_offline): `datasets` then
answers from its local cache or fails at once. With HF_HUB_OFFLINE=0 and HF_DATASETS_OFFLINE=0
it would retry an unreachable hub for ~49 s, so we first probe the hub with a short timeout
and fail in seconds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from services import config
from services.data.validation import validate_row
from services.data.writing import atomic_splits
from services.errors import DatasetError, HubUnreachableError
from services.security.roles import Caller, require_operator

ULTRACHAT_ID = "HuggingFaceH4/ultrachat_200k"
ULTRACHAT_SPLITS = ("train_sft", "test_sft", "train_gen", "test_gen")
PROBE_TIMEOUT = (3.0, 5.0)  # connect, read (seconds)
UNREACHABLE_HINT = (
    "Use the bundled demo dataset or a local .jsonl/.json/.parquet file instead. On a machine "
    "with network, set HF_HUB_OFFLINE=0 and HF_DATASETS_OFFLINE=0 to download from the hub."
)


def is_offline() -> bool:
    """Offline unless both HF_HUB_OFFLINE and HF_DATASETS_OFFLINE are 0 (config.hub_offline)."""
    return config.hub_offline("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")


def known_splits(dataset_id: str) -> tuple[str, ...]:
    """The splits to offer for a dataset id (ultrachat's four, else train/test)."""
    return ULTRACHAT_SPLITS if dataset_id.strip() == ULTRACHAT_ID else ("train", "test")


def looks_like_hub_id(text: str) -> bool:
    return re.fullmatch(r"[\w.-]+/[\w.-]+", text.strip()) is not None


def check_hub_reachable(dataset_id: str) -> None:
    """HubUnreachableError within seconds when the hub cannot be reached."""
    if is_offline():
        return  # the datasets library itself answers at once from the cache or fails
    import requests

    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    try:
        requests.head(f"{endpoint}/api/datasets/{dataset_id}", timeout=PROBE_TIMEOUT)
    except requests.RequestException as error:
        raise HubUnreachableError(
            f"The Hugging Face hub ({endpoint}) is not reachable from this machine: "
            f"{type(error).__name__}.",
            UNREACHABLE_HINT,
        ) from error


def load_hub_split(dataset_id: str, split: str, split_pc: int = 100):
    """The first `split_pc` percent (whole, 1-100) of one split, as a `datasets.Dataset`."""
    check_split_pc(split_pc)
    check_hub_reachable(dataset_id)
    for flag, value in config.offline_env().items():  # an unset flag means offline here too
        os.environ.setdefault(flag, value)
    import datasets  # heavy; only hub sources need it

    selection = split if split_pc == 100 else f"{split}[:{int(split_pc)}%]"
    try:
        return datasets.load_dataset(dataset_id, split=selection)
    except ConnectionError as error:  # offline mode and not in the local cache
        raise HubUnreachableError(
            f"Cannot load {dataset_id}: the Hugging Face hub is not reachable (offline mode) "
            "and the dataset is not in the local cache.",
            UNREACHABLE_HINT,
        ) from error
    except (FileNotFoundError, ValueError) as error:
        raise DatasetError(
            f"Cannot load split {split!r} of {dataset_id}: {error}",
            f"Check the dataset id and split names (ultrachat: {', '.join(ULTRACHAT_SPLITS)}).",
        ) from error


def check_split_pc(split_pc: int) -> None:
    # `datasets` split slicing takes whole percents only.
    if int(split_pc) != split_pc or not 1 <= split_pc <= 100:
        raise DatasetError(f"split_pc must be a whole percent from 1 to 100, got {split_pc}.")


def fetch_hub_split(
    dataset_id: str, split: str, split_pc: int, *, caller: Caller | None = None
) -> Path:
    """Download a split once into a local .jsonl (for preview); later calls reuse it.

    Operators only (a viewer `caller` is refused): it downloads and writes to this machine.
    """
    require_operator(caller, "fetch_hub", dataset_id)
    folder = config.studio_home() / "hub-cache" / dataset_id.replace("/", "__")
    name = f"{split}-{int(split_pc)}pc"
    target = folder / f"{name}.jsonl"
    if not target.exists():
        rows = load_hub_split(dataset_id, split, split_pc)
        with atomic_splits(folder, [name]) as files:
            for row in rows:
                files.write(name, row)
    return target


def write_hub_splits(
    dataset_id: str, files, split_pc: int, splits: tuple[str, ...], enrich
) -> dict[str, int]:
    """Write `split_pc` percent of each split through `files` (atomic SplitFiles).

    Returns the number of invalid rows skipped per split.
    """
    skipped = {}
    for split in splits:
        skipped[split] = 0
        for number, row in enumerate(load_hub_split(dataset_id, split, split_pc), start=1):
            usable, problem = validate_row(number, row)
            if problem is not None or usable is None:
                skipped[split] += 1
                continue
            files.write(split, enrich(usable))
    return skipped
