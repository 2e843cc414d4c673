"""Where `prepare` may write: a folder it owns, and in it only the files it wrote.

The rule that keeps user files safe:
- a new folder, an empty one, or one an earlier preparation wrote (it holds our manifest) is
  ours; any other non-empty folder is refused, never written into;
- in a folder of ours, a preparation replaces or removes only the split files its manifest
  lists; anything else found there (a user's file) stays untouched and is never listed;
- the source may not lie inside the output folder, so it can never be among what is replaced;
- one preparation at a time per folder (a lock), and temporary files a killed one left are
  removed by the next.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.atomic_files import write_text
from services.data.prepared import MANIFEST, WRITTEN_BY, owned_files, read_manifest
from services.data.writing import SplitFiles, folder_lock, is_temp_name
from services.errors import DatasetError

CHOOSE_ANOTHER = (
    "Prepare into a new or empty folder: another name on the Dataset page, another --out "
    "(or none) on the command line. Prepare never writes into a folder of other files."
)


@dataclass(frozen=True)
class OutputFolder:
    """A folder a preparation holds; `owned` are the file names an earlier one wrote."""

    path: Path
    owned: frozenset[str]

    def publish(self, files: SplitFiles, **details) -> None:
        """Move the new split files into place, remove the earlier preparation's other split
        files, and write the manifest. At every step the manifest on disk lists each file of
        ours in the folder, so a crash half way leaves nothing a later run would not own."""
        written = set(files.rows)
        replacing = sorted({name.removesuffix(".jsonl") for name in self.owned} | written)
        self._write_manifest({"splits": {}, "replacing": replacing})
        files.commit()
        for name in self.owned - {f"{split}.jsonl" for split in written}:
            (self.path / name).unlink(missing_ok=True)
        self._write_manifest({"splits": dict(files.rows), **details})

    def _write_manifest(self, content: dict) -> None:
        manifest = {"written_by": WRITTEN_BY, "created_at": time.time(), **content}
        write_text(self.path / MANIFEST, json.dumps(manifest, indent=2) + "\n")


@contextmanager
def claim_output(folder: str | Path, source: Path | None) -> Iterator[OutputFolder]:
    """Hold `folder` for one preparation of `source` (None: not a local file); DatasetError
    when the folder is another's, or holds the source."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise DatasetError(f"{folder} is a file, not a folder.", CHOOSE_ANOTHER)
    if source is not None and source.resolve().is_relative_to(folder.resolve()):
        raise DatasetError(
            f"The source {source} is inside the output folder {folder}.",
            "Prepare into a folder outside the source's folder (or leave --out out): a "
            "preparation replaces the files of its output folder.",
        )
    if folder.exists():
        _check_ours(folder)  # refuse before touching anything
    with folder_lock(folder):
        # Read again under the lock: a preparation that just finished may have changed it.
        yield OutputFolder(folder, _check_ours(folder))


def _check_ours(folder: Path) -> frozenset[str]:
    """The file names an earlier preparation wrote in `folder`; DatasetError when the folder
    holds files it did not write and no manifest of ours."""
    manifest = read_manifest(folder)
    if manifest is not None:
        return frozenset(owned_files(manifest))
    foreign = sorted(path.name for path in folder.iterdir() if not is_temp_name(path.name))
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        shown = ", ".join(foreign[:5]) + more
        raise DatasetError(
            f"{folder} already holds files that prepare did not write ({shown}).",
            CHOOSE_ANOTHER,
        )
    return frozenset()
