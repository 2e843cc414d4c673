"""The data roots fence: the app reads user-named files only under STUDIO_HOME and data roots."""

from __future__ import annotations

import os

import pytest

from services.data import open_dataset, prepare
from services.data.roots import OutsideDataRootsError, data_roots, resolve_in_roots
from services.data.uploads import safe_upload_name, save_upload
from services.errors import DatasetError, StudioError

GOOD = '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n'


@pytest.fixture
def root(studio_home):
    studio_home.mkdir(parents=True, exist_ok=True)
    return studio_home.resolve()


def test_a_file_inside_a_root_is_accepted(root):
    path = root / "incoming" / "chat.jsonl"
    path.parent.mkdir()
    path.write_text(GOOD * 2)
    assert resolve_in_roots(str(path)) == path
    assert resolve_in_roots("incoming/chat.jsonl") == path  # relative: from STUDIO_HOME
    assert open_dataset(str(path), within_roots=True).row_count == 2


def test_climbing_with_dotdot_is_refused_even_back_into_the_root(root):
    (root / "chat.jsonl").write_text(GOOD)
    with pytest.raises(OutsideDataRootsError) as refused:
        resolve_in_roots(str(root / ".." / root.name / "chat.jsonl"))
    assert '".."' in refused.value.message
    with pytest.raises(OutsideDataRootsError):
        resolve_in_roots("../../../../etc/passwd")


def test_an_absolute_path_elsewhere_is_refused_naming_the_roots(root):
    with pytest.raises(OutsideDataRootsError) as refused:
        resolve_in_roots("/etc/passwd")
    error = refused.value
    assert isinstance(error, StudioError)
    assert "/etc/passwd is outside the data roots" in error.message
    assert str(root) in error.message
    assert "STUDIO_DATA_ROOTS" in error.hint


def test_a_symlink_out_of_a_root_is_refused(root, tmp_path):
    outside = tmp_path / "secret.jsonl"
    outside.write_text(GOOD)
    (root / "link.jsonl").symlink_to(outside)
    (root / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    for path in (root / "link.jsonl", root / "linked-dir" / "secret.jsonl"):
        with pytest.raises(OutsideDataRootsError):
            resolve_in_roots(str(path))


def test_the_services_refuse_too_while_the_command_line_reads_anywhere(root, tmp_path):
    outside = tmp_path / "outside.jsonl"
    outside.write_text(GOOD * 4)
    with pytest.raises(OutsideDataRootsError):
        open_dataset(str(outside), within_roots=True)
    with pytest.raises(OutsideDataRootsError):
        prepare(str(outside), root / "datasets" / "x", within_roots=True)
    assert not (root / "datasets" / "x").exists()
    assert open_dataset(str(outside)).row_count == 4  # the CLI's call: no fence


def test_studio_data_roots_adds_folders(root, tmp_path, monkeypatch):
    extra = tmp_path / "shared-data"
    extra.mkdir()
    (extra / "chat.jsonl").write_text(GOOD)
    with pytest.raises(OutsideDataRootsError):
        resolve_in_roots(str(extra / "chat.jsonl"))
    monkeypatch.setenv("STUDIO_DATA_ROOTS", os.pathsep.join([str(extra), "/nowhere/else"]))
    assert data_roots()[0] == root  # STUDIO_HOME always: the app's own files live there
    assert resolve_in_roots(str(extra / "chat.jsonl")) == extra / "chat.jsonl"


def test_uploads_are_stored_under_studio_home_with_a_safe_name(root):
    assert safe_upload_name("../../etc/cron.d/x.jsonl") == "x.jsonl"
    assert safe_upload_name("C:\\Users\\me\\my data.json") == "my-data.json"
    for bad in ("..", "notes.txt", ".jsonl", "evil.jsonl/.."):
        with pytest.raises(DatasetError):
            safe_upload_name(bad)
    first = save_upload("../train.jsonl", GOOD.encode())
    other = save_upload("train.jsonl", (GOOD * 2).encode())
    assert first.is_relative_to(root / "uploads") and first.name == "train.jsonl"
    assert other != first and first.read_text() == GOOD  # same name, other bytes: no overwrite
    assert save_upload("train.jsonl", GOOD.encode()) == first  # same bytes: stored once


@pytest.fixture
def fresh_caches():
    # Streamlit caches live for the whole test process; each test has its own STUDIO_HOME.
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_dataset_page_refuses_etc_passwd_with_the_roots(studio_home, fresh_caches):
    from tests.app_helpers import open_page

    at = open_page("dataset")
    at.radio(key="dataset_source").set_value("Local path").run()
    at.text_input(key="dataset_local_path").input("/etc/passwd").run()
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert "/etc/passwd is outside the data roots" in error
    assert str(studio_home.resolve()) in error
    assert "STUDIO_DATA_ROOTS" in at.info[0].value
    assert not at.metric  # nothing read: no row count of a system file
