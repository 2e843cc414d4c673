"""The data roots: the only folders whose files the app reads when a user names a server path.

Anyone who reaches the app can type a path, so the app must not open /etc/shadow or a
colleague's home folder for them. The roots: STUDIO_HOME (always: the demo data, uploads, the
hub cache and prepared data live there), plus the project's data/ folder, or instead of it the
folders in STUDIO_DATA_ROOTS (separated by os.pathsep, ":" on Linux). The command line is run
by the machine's own user in a shell and reads any path: it does not use this.
"""

from __future__ import annotations

import os
from pathlib import Path

from services import config
from services.errors import DatasetError
from services.security.roles import Caller, require_operator

ENV = "STUDIO_DATA_ROOTS"
PROJECT_DATA = Path(__file__).resolve().parents[2] / "data"


class OutsideDataRootsError(DatasetError):
    """A path a user named in the app lies outside the data roots (or climbs with "..")."""


def data_roots() -> list[Path]:
    """The folders (resolved, symlinks followed) the app may read user-named files from."""
    configured = os.environ.get(ENV, "")
    extra = [Path(p.strip()) for p in configured.split(os.pathsep) if p.strip()]
    folders = [config.studio_home(), *(extra or [PROJECT_DATA])]
    return [folder.expanduser().resolve() for folder in folders]


def viewer_roots() -> list[Path]:
    """What a viewer may open: the demo data and prepared datasets (both under STUDIO_HOME)."""
    return [(config.studio_home() / "demo").resolve(), config.datasets_dir().resolve()]


def resolve_in_roots(path: str | Path, *, caller: Caller | None = None) -> Path:
    """`path` resolved (symlinks followed), or OutsideDataRootsError when it leaves the roots.

    A relative path is taken from the first root. ".." is refused outright, even when it would
    land back inside a root: a path that climbs is a mistake or a probe. A symlink inside a
    root that points out of every root is refused, because the check is on the resolved path.
    A viewer `caller` (roles.py) may open only the demo data and prepared datasets.
    """
    roots = data_roots()
    named = Path(path).expanduser()
    if ".." in named.parts:
        raise OutsideDataRootsError(
            f'{path} contains "..": the app does not climb out of a folder.',
            f'Name the file without "..", inside {_listing(roots)}.',
        )
    resolved = (roots[0] / named).resolve()  # an absolute `named` replaces roots[0]
    if not any(resolved.is_relative_to(root) for root in roots):
        raise OutsideDataRootsError(
            f"{path} is outside the data roots: the app reads only files under {_listing(roots)}.",
            f"Copy or move the file into one of them (or upload it), or add its folder to "
            f"{ENV} (folders separated by {os.pathsep!r}) before starting the app.",
        )
    viewer = caller is not None and not caller.is_operator
    if viewer and not any(resolved.is_relative_to(root) for root in viewer_roots()):
        require_operator(caller, "read_path", str(path))
    return resolved


def _listing(roots: list[Path]) -> str:
    return ", ".join(str(root) for root in roots)
