"""Prepared datasets: folders of <split>.jsonl files under STUDIO_HOME/datasets, ready to train.

Each folder also holds `dataset.json`, the manifest: where the data came from, the row count
of each split, the invalid rows skipped. Its `splits` are the only files of the folder that
belong to the dataset (and the only ones a later preparation may replace or remove); while a
preparation replaces them it lists them under `replacing` instead, so a crash never leaves a
file of ours unrecorded. A folder without a manifest (made by hand) is read by its .jsonl files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from services import config
from services.data.validation import InvalidRow
from services.errors import DatasetError

MANIFEST = "dataset.json"
WRITTEN_BY = "fine-tune-studio dataset prepare"
# A split name becomes a file name: never a path, never hidden.
SPLIT_NAME = re.compile(r"^[\w-][\w.-]*$")
# Which split trains and which evaluates, in order of preference.
TRAIN_TEST_PAIRS = (("train_sft", "test_sft"), ("train", "test"))


@dataclass(frozen=True)
class SplitFile:
    name: str  # "train_sft", "test", ...
    path: str
    rows: int


@dataclass(frozen=True)
class PreparedDataset:
    name: str
    folder: str
    splits: tuple[SplitFile, ...]
    train_split: str  # the split training reads ("train_sft" or "train")
    test_split: str  # the split evaluation reads ("test_sft" or "test")
    source: str = ""  # "demo", a file path or a hub id
    skipped_invalid: int = 0  # rows of the source left out because they were invalid
    skipped_rows: tuple[InvalidRow, ...] = ()  # the first few of them, with their reasons

    def split(self, name: str) -> SplitFile:
        for split in self.splits:
            if split.name == name:
                return split
        raise DatasetError(f"{self.folder} has no split {name!r}.")

    @property
    def rows(self) -> dict[str, int]:
        """Rows per split name."""
        return {split.name: split.rows for split in self.splits}

    @property
    def train_file(self) -> str:
        return self.split(self.train_split).path

    @property
    def test_file(self) -> str:
        return self.split(self.test_split).path


def list_prepared() -> list[PreparedDataset]:
    """Every prepared dataset under STUDIO_HOME/datasets that has a train and a test split."""
    found = []
    for folder in sorted(config.datasets_dir().iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            try:
                found.append(read_prepared(folder))
            except DatasetError:
                continue  # not (or not yet) a usable prepared dataset
    return found


def prepare_demo(out_dir: str | Path | None = None) -> PreparedDataset:
    """The bundled demo data, prepared (see services.data.preparation.prepare_demo)."""
    from services.data.preparation import prepare_demo as prepare_bundled_demo  # it imports us

    return prepare_bundled_demo(out_dir)


def read_prepared(folder: str | Path) -> PreparedDataset:
    """The prepared dataset in `folder`; DatasetError when it has no train/test pair."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        manifest = {}
        names = [path.stem for path in sorted(folder.glob("*.jsonl"))]
    elif manifest.get("replacing"):
        raise DatasetError(
            f"The last preparation of {folder} did not finish.",
            "Run `python -m services dataset prepare` into it again.",
        )
    else:
        names = sorted(manifest["splits"])
    counts = manifest.get("splits", {})
    splits = tuple(_split_file(folder, name, counts.get(name)) for name in names)
    for train, test in TRAIN_TEST_PAIRS:
        if train in names and test in names:
            return PreparedDataset(
                name=folder.name,
                folder=str(folder),
                splits=splits,
                train_split=train,
                test_split=test,
                source=str(manifest.get("source", "")),
                skipped_invalid=_skipped_count(manifest.get("skipped_invalid")),
                skipped_rows=tuple(
                    InvalidRow(int(row["line"]), str(row["reason"]), str(row.get("code", "")))
                    for row in manifest.get("skipped_rows", [])
                ),
            )
    raise DatasetError(
        f"{folder} holds no train/test pair of .jsonl files.",
        "Prepare a dataset on the Dataset page or with `python -m services dataset prepare`.",
    )


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest when a preparation wrote it; None when there is none, or the
    dataset.json there is not ours (a user's file of the same name)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    splits, replacing = manifest.get("splits"), manifest.get("replacing", [])
    if not isinstance(splits, dict) or not isinstance(replacing, list):
        return None
    names = [*splits, *replacing]
    ours = all(isinstance(name, str) and SPLIT_NAME.match(name) for name in names)
    return manifest if ours else None


def owned_files(manifest: dict) -> set[str]:
    """The file names a preparation wrote into its folder, by its manifest."""
    names = {*manifest["splits"], *manifest.get("replacing", [])}
    return {f"{name}.jsonl" for name in names}


def _split_file(folder: Path, name: str, rows: int | None) -> SplitFile:
    path = folder / f"{name}.jsonl"
    if not path.is_file():
        raise DatasetError(
            f"{path} is missing from the prepared dataset.",
            "Run `python -m services dataset prepare` into this folder again.",
        )
    return SplitFile(name, str(path), int(rows) if rows is not None else _count_lines(path))


def _skipped_count(value) -> int:
    """skipped_invalid is one count for a file, a count per split for a hub dataset."""
    if isinstance(value, dict):
        return sum(int(count) for count in value.values())
    return int(value or 0)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())
