"""Dataset faults, tried on purpose (issue 15): prepare never deletes what it did not write,
never lists what it did not write, leaves no temporary files when killed, and the training
worker reads data exactly as inspect and prepare do."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from services.data import prepare, read_prepared
from services.data.writing import SplitFiles, folder_lock, is_temp_name
from services.errors import DatasetError
from services.training.conversations import read_conversations
from tests.data.conftest import chat, write_lines
from tests.training.tiny import wait_for

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services", "dataset", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def temp_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if is_temp_name(path.name))


@pytest.fixture
def source_folder(tmp_path) -> Path:
    """A user's folder: a conversation file and an unrelated .jsonl next to it."""
    folder = tmp_path / "mine"
    folder.mkdir()
    write_lines(folder / "chats.jsonl", [chat(f"q{i}", f"a{i}") for i in range(20)])
    write_lines(folder / "notes.jsonl", [{"note": "not a conversation, not yours"}])
    return folder


# --- Item 1: data loss ---------------------------------------------------------------------


def test_prepare_twice_into_the_source_folder_keeps_both_files(source_folder):
    before = snapshot(source_folder)
    for _ in range(2):
        done = run_cli(
            "prepare", "--source", str(source_folder / "chats.jsonl"), "--out", str(source_folder)
        )
        assert done.returncode == 2, done.stdout + done.stderr
        assert "is inside the output folder" in done.stderr
    assert snapshot(source_folder) == before  # nothing deleted, nothing added


def test_a_folder_of_other_files_is_refused_untouched(source_folder, tmp_path):
    other = write_lines(tmp_path / "elsewhere.jsonl", [chat(f"q{i}", "a") for i in range(5)])
    before = snapshot(source_folder)
    done = run_cli("prepare", "--source", str(other), "--out", str(source_folder), "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)
    assert error["error"] == "DatasetError"
    assert "chats.jsonl, notes.jsonl" in error["message"]
    assert "new or empty folder" in error["hint"]
    assert snapshot(source_folder) == before


def test_a_rerun_replaces_only_its_own_files(tmp_path):
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    out = tmp_path / "out"
    prepare(str(source), out)
    (out / "mine.jsonl").write_text('{"user": "added later"}\n')  # a user's file, added later
    prepared = prepare(str(source), out, test_fraction=0.5)
    assert (out / "mine.jsonl").read_text() == '{"user": "added later"}\n'
    assert [split.name for split in prepared.splits] == ["test", "train"]
    assert prepared.rows == {"train": 10, "test": 10}


def test_a_source_inside_a_prepared_folder_is_refused(tmp_path):
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    out = tmp_path / "out"
    prepare(str(source), out)
    train = (out / "train.jsonl").read_bytes()
    with pytest.raises(DatasetError, match="inside the output folder"):
        prepare(str(out / "train.jsonl"), out)
    assert (out / "train.jsonl").read_bytes() == train


def test_foreign_jsonl_is_never_listed_as_a_split(tmp_path):
    # A folder an earlier version wrote into with a user's .jsonl next to its splits: the
    # manifest names the splits; the user's file is neither listed nor removed by a re-run.
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    out = tmp_path / "out"
    prepare(str(source), out)
    write_lines(out / "notes.jsonl", [{"note": "mine"}])
    assert [split.name for split in read_prepared(out).splits] == ["test", "train"]
    prepare(str(source), out)
    assert (out / "notes.jsonl").exists()
    assert [split.name for split in read_prepared(out).splits] == ["test", "train"]


@pytest.mark.parametrize(
    "manifest",
    [
        [chat("a user's dataset.json", "an array of conversations")],
        {"splits": {"../escape": 3}},
    ],
    ids=["user-dataset-json", "path-in-split-name"],
)
def test_a_dataset_json_prepare_did_not_write_is_not_taken_for_ours(tmp_path, manifest):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "dataset.json").write_text(json.dumps(manifest))
    write_lines(folder / "train.jsonl", [chat("q", "a")])
    before = snapshot(folder)
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    with pytest.raises(DatasetError, match="did not write"):
        prepare(str(source), folder)
    assert snapshot(folder) == before


def test_a_crash_while_replacing_leaves_every_file_owned(tmp_path, monkeypatch):
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    out = tmp_path / "out"
    prepare(str(source), out)
    real_commit = SplitFiles.commit

    def crash(self):
        raise OSError("power cut")

    monkeypatch.setattr(SplitFiles, "commit", crash)
    with pytest.raises(OSError, match="power cut"):
        prepare(str(source), out)
    with pytest.raises(DatasetError, match="did not finish"):
        read_prepared(out)  # not offered for training half done
    monkeypatch.setattr(SplitFiles, "commit", real_commit)
    assert prepare(str(source), out).rows == {"train": 18, "test": 2}  # ours: accepted again


def test_one_preparation_at_a_time_per_folder(tmp_path):
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    out = tmp_path / "out"
    with folder_lock(out), pytest.raises(DatasetError, match="Another preparation"):
        prepare(str(source), out)


def test_the_dataset_page_name_policy(studio_home, tmp_path):
    # The Dataset page prepares into STUDIO_HOME/datasets/<name> through the same service.
    from services import config

    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    prepare(str(source), config.datasets_dir() / "chats")
    prepare(str(source), config.datasets_dir() / "chats")  # the same name again: replaced
    taken = config.datasets_dir() / "taken"
    taken.mkdir(parents=True)
    (taken / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError, match="did not write"):
        prepare(str(source), taken)
    assert (taken / "keep.txt").read_text() == "mine"


# --- Item 7: temporary files, the worker's reader, skipped rows ------------------------------

# Runs the real CLI in a child process whose prepare stops after writing a few rows: it marks
# the moment (temporary files open) and blocks until the test signals it.
BLOCKING_PREPARE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from services.cli import main
    from services.data import preparation

    marker, real = Path(sys.argv[1]), preparation.with_prompt
    def with_prompt(row, written=[0]):
        written[0] += 1
        if written[0] == 3:
            marker.write_text("writing")
            sys.stdin.read()  # blocks: the test holds the pipe open
        return real(row)
    preparation.with_prompt = with_prompt
    sys.exit(main(sys.argv[2:]))
    """
)


def start_blocked_prepare(tmp_path: Path, out: Path) -> tuple[subprocess.Popen, Path]:
    source = write_lines(tmp_path / "chats.jsonl", [chat(f"q{i}", "a") for i in range(20)])
    marker = tmp_path / "writing"
    args = ["dataset", "prepare", "--source", str(source), "--out", str(out)]
    process = subprocess.Popen(
        [sys.executable, "-c", BLOCKING_PREPARE, str(marker), *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for(marker.exists, 60, "the child to be writing its split files")
    assert len(temp_files(out)) == 2  # train and test, half written
    return process, source


def test_sigterm_during_prepare_leaves_no_temporary_files(tmp_path):
    out = tmp_path / "out"
    process, _ = start_blocked_prepare(tmp_path, out)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(out.iterdir()) == []


def test_stale_temporary_files_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    process, source = start_blocked_prepare(tmp_path, out)
    process.kill()  # SIGKILL: no cleanup can run
    process.wait(timeout=60)
    process.stdin.close()
    assert len(temp_files(out)) == 2
    prepared = prepare(str(source), out)
    assert temp_files(out) == []
    assert sorted(os.listdir(out)) == ["dataset.json", "test.jsonl", "train.jsonl"]
    assert prepared.rows == {"train": 18, "test": 2}


def test_a_bom_file_inspect_calls_valid_loads_in_the_worker_reader(tmp_path):
    rows = [chat(f"q{i}", f"a{i}") for i in range(4)]
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r) + "\n" for r in rows).encode())
    assert run_cli("inspect", str(bom)).returncode == 0  # valid, every row
    conversations = read_conversations(bom)
    assert [c[0]["content"] for c in conversations] == ["q0", "q1", "q2", "q3"]


def test_the_worker_reader_skips_what_inspect_calls_invalid_by_line(tmp_path, capsys):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        json.dumps(chat("q0", "a0")).encode()
        + b'\n{"messages": "\xff\xfe"}\n'  # not UTF-8: the old reader died without a line
        + json.dumps(chat("q1", "a1")).encode()
        + b"\n"
    )
    assert len(read_conversations(path)) == 2
    assert "line 2: not UTF-8 text" in capsys.readouterr().out
    inspected = json.loads(run_cli("inspect", str(path), "--json").stdout)
    assert [(row["line"], row["reason"]) for row in inspected["invalid"]] == [(2, "not UTF-8 text")]


def test_prepare_text_output_lists_the_skipped_rows(tmp_path):
    rows = [chat(f"q{i}", "a") for i in range(10)] + ["not json", {"messages": []}]
    rows += [{"prompt": f"no messages {i}"} for i in range(25)]
    source = write_lines(tmp_path / "chats.jsonl", rows)
    done = run_cli("prepare", "--source", str(source), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "skipped 27 invalid rows:" in lines
    assert "  line 11: not JSON (Expecting value)" in lines
    assert "  line 12: `messages` is not a non-empty list" in lines
    assert "  line 13: no `messages`" in lines
    assert any(line.startswith("  ... and 7 more") for line in lines)  # 20 shown
    result = json.loads(
        run_cli("prepare", "--source", str(source), "--out", str(tmp_path / "out"), "--json").stdout
    )
    assert result["skipped_invalid"] == 27
    assert result["skipped_rows"][0] == {
        "line": 11,
        "reason": "not JSON (Expecting value)",
        "code": "not_json",
    }
