"""Prepared datasets: folders of <split>.jsonl files under STUDIO_HOME/datasets, ready to train.

Each folder also holds `dataset.json` (written last, so its presence means the preparation
finished): where the data came from, the row count of each split, and which split trains.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from services import config
from services.errors import DatasetError

MANIFEST = "dataset.json"
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
    manifest = _read_manifest(folder)
    counts = manifest.get("splits", {})
    splits = tuple(
        SplitFile(path.stem, str(path), int(counts.get(path.stem, _count_lines(path))))
        for path in sorted(folder.glob("*.jsonl"))
    )
    names = {split.name for split in splits}
    for train, test in TRAIN_TEST_PAIRS:
        if train in names and test in names:
            return PreparedDataset(
                name=folder.name,
                folder=str(folder),
                splits=splits,
                train_split=train,
                test_split=test,
                source=str(manifest.get("source", "")),
            )
    raise DatasetError(
        f"{folder} holds no train/test pair of .jsonl files.",
        "Prepare a dataset on the Dataset page or with `python -m services dataset prepare`.",
    )


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())
