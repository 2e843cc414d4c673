"""Prepare a dataset for training: the equivalent of the guide's download-dataset.py.

- a hub id: keep `split_pc` percent of each split, write <split>.jsonl for each;
- a local file (or the demo): a seeded train/test split with `test_fraction` in test.
Rows get `prompt` (the first user message) and `prompt_id` (sha256 hex of the prompt) when
missing; invalid rows are skipped, counted, and the first few recorded with their reasons.
The output folder is the tool's own and a re-run replaces only its own files, atomically
(services.data.output_folder says the rules).
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

from services import config
from services.data import demo, hub
from services.data.files import open_dataset
from services.data.output_folder import claim_output
from services.data.prepared import PreparedDataset, read_prepared
from services.data.roots import resolve_in_roots
from services.data.validation import InvalidRow, valid_rows
from services.data.writing import temp_splits
from services.errors import DatasetError
from services.security.roles import Caller, require_operator

DEFAULT_SPLIT_PC = 5
FILE_SUFFIXES = (".jsonl", ".json", ".parquet")  # "org/name.jsonl" is a file, not a hub id
DEFAULT_TEST_FRACTION = 0.1
DEMO_TEST_FRACTION = 0.15  # the demo is small: keep enough rows for a steady eval loss
SKIPPED_KEPT = 20  # invalid rows recorded with their reasons (the rest are counted)


def with_prompt(row: dict) -> dict:
    """The row with `prompt` and `prompt_id` filled in when missing."""
    row = dict(row)
    if not row.get("prompt"):
        row["prompt"] = next(m["content"] for m in row["messages"] if m["role"] == "user")
    if not row.get("prompt_id"):
        row["prompt_id"] = hashlib.sha256(row["prompt"].encode("utf-8")).hexdigest()
    return row


def default_name(source: str) -> str:
    """A folder name for a source: "demo", the file's stem, or the hub dataset's name."""
    if source == "demo":
        return "demo"
    stem = Path(source).stem if Path(source).suffix else source.split("/")[-1]
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "dataset"


def prepare(
    source: str,
    out_dir: str | Path | None = None,
    *,
    split_pc: int = DEFAULT_SPLIT_PC,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    seed: int = 0,
    within_roots: bool = False,
    name: str = "",
    caller: Caller | None = None,
) -> PreparedDataset:
    """Prepare "demo", a local file or a hub id into `out_dir` (default: datasets_dir/<name>).

    `name`: what the person called it (reduced to a safe folder name); default from `source`.

    `within_roots`: the app's call, where a user named the file: it must lie under the data
    roots (roots.py). The command line reads any file. A viewer `caller` is refused.
    """
    require_operator(caller, "prepare", source)
    folder = Path(out_dir) if out_dir else config.datasets_dir() / default_name(name or source)
    if source == "demo":
        return prepare_file(
            demo.demo_file(), folder, test_fraction=test_fraction, seed=seed, label="demo"
        )
    local = Path(source).expanduser()
    if local.exists() or local.suffix.lower() in FILE_SUFFIXES or not hub.looks_like_hub_id(source):
        if within_roots:
            source = str(resolve_in_roots(source))
        return prepare_file(source, folder, test_fraction=test_fraction, seed=seed)
    return prepare_hub(source, folder, split_pc=split_pc)


def prepare_demo(out_dir: str | Path | None = None) -> PreparedDataset:
    """The bundled demo dataset as a prepared train/test dataset (STUDIO_HOME/datasets/demo)."""
    return prepare("demo", out_dir, test_fraction=DEMO_TEST_FRACTION)


def prepare_file(
    source: str | Path,
    out_dir: str | Path,
    *,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    seed: int = 0,
    label: str = "",
) -> PreparedDataset:
    """Split a local file's valid rows into train.jsonl and test.jsonl (seeded).

    `label` names the source in dataset.json (default: the file path)."""
    if not 0 < test_fraction < 1:
        raise DatasetError(f"test_fraction must be between 0 and 1, got {test_fraction}.")
    dataset = open_dataset(source)
    invalid: list[InvalidRow] = []
    valid = sum(1 for row in valid_rows(dataset.iter_rows(), invalid))
    if valid < 2:
        raise DatasetError(
            f"{source} has {valid} valid conversation(s); a train/test split needs at least 2.",
            "Inspect it with `python -m services dataset inspect PATH` to see why rows fail.",
        )
    test_size = min(valid - 1, max(1, round(valid * test_fraction)))
    test_rows = set(random.Random(seed).sample(range(valid), test_size))
    with (
        claim_output(out_dir, Path(dataset.path)) as output,
        temp_splits(output.path, ["train", "test"]) as files,
    ):
        for index, row in enumerate(valid_rows(dataset.iter_rows())):
            files.write("test" if index in test_rows else "train", with_prompt(row))
        output.publish(
            files,
            source=label or str(source),
            test_fraction=test_fraction,
            seed=seed,
            skipped_invalid=len(invalid),
            skipped_rows=[
                {"line": row.line, "reason": row.reason, "code": row.code}
                for row in invalid[:SKIPPED_KEPT]
            ],
        )
    return read_prepared(output.path)


def prepare_hub(
    dataset_id: str,
    out_dir: str | Path,
    *,
    split_pc: int = DEFAULT_SPLIT_PC,
    splits: tuple[str, ...] | None = None,
) -> PreparedDataset:
    """Keep `split_pc` percent of each split of a hub dataset; write <split>.jsonl each."""
    hub.check_split_pc(split_pc)
    hub.check_hub_reachable(dataset_id)
    splits = splits or hub.known_splits(dataset_id)
    with claim_output(out_dir, None) as output, temp_splits(output.path, splits) as files:
        skipped = hub.write_hub_splits(dataset_id, files, split_pc, splits, with_prompt)
        output.publish(files, source=dataset_id, split_pc=split_pc, skipped_invalid=skipped)
    return read_prepared(output.path)
