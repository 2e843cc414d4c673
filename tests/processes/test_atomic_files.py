"""Files replaced whole: the one helper every record and state file is written with."""

from __future__ import annotations

import stat

import pytest

from services import atomic_files


def test_json_round_trips_and_replaces_the_whole_file(tmp_path):
    path = tmp_path / "deeper" / "record.json"
    atomic_files.write_json(path, {"a": 1, "long": "x" * 1000})
    atomic_files.write_json(path, {"a": 2})
    assert atomic_files.read_json(path) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["record.json"]  # no temporary left
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # keys are written this way too


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "record.json"
    atomic_files.write_json(path, {"a": 1})
    with pytest.raises(TypeError):
        atomic_files.write_json(path, {"a": object()})  # not JSON: fails before any write
    with pytest.raises(TypeError):
        atomic_files.write_bytes(path, "not bytes")  # type: ignore[arg-type]  # fails mid-write
    assert atomic_files.read_json(path) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_read_json_is_empty_for_what_is_not_a_json_object(tmp_path):
    assert atomic_files.read_json(tmp_path / "absent.json") == {}
    (tmp_path / "half.json").write_text('{"a": ')
    assert atomic_files.read_json(tmp_path / "half.json") == {}
    (tmp_path / "list.json").write_text("[1, 2]")
    assert atomic_files.read_json(tmp_path / "list.json") == {}
