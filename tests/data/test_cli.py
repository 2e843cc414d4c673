"""`python -m services dataset ...` in a real subprocess: exit codes and JSON output."""

import json
import os
import subprocess
import sys

from tests.data.conftest import chat, write_lines

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args):
    done = subprocess.run(
        [sys.executable, "-m", "services", "dataset", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def test_inspect_exit_codes(tmp_path):
    good = write_lines(tmp_path / "good.jsonl", [chat("q", "a"), chat("q2", "a2")])
    mixed = write_lines(tmp_path / "mixed.jsonl", [chat("q", "a"), "oops", {"messages": []}])
    junk = write_lines(tmp_path / "junk.jsonl", ["a,b", "1,2"])
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\x00\x01\x02" * 100)

    code, out, _ = run("inspect", str(good), "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["rows"], result["valid"], result["invalid"]) == (2, 2, [])
    assert result["stats"]["turns"]["mean"] == 2

    code, out, _ = run("inspect", str(mixed), "--json")
    assert code == 1
    invalid = json.loads(out)["invalid"]
    assert [(row["line"], row["code"]) for row in invalid] == [(2, "not_json"), (3, "no_messages")]

    code, out, _ = run("inspect", str(junk), "--json")
    assert code == 2
    assert json.loads(out)["error"] == "DatasetError"

    code, out, _ = run("inspect", str(binary), "--json")
    assert code == 2
    assert "binary" in json.loads(out)["message"]

    code, _, err = run("inspect", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "not a file" in err


def test_sample_is_seeded(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [chat(f"q{i}", f"a{i}") for i in range(30)])
    code, out, _ = run("sample", str(path), "-n", "3", "--seed", "5", "--json")
    assert code == 0
    first = json.loads(out)["conversations"]
    assert len(first) == 3
    assert (
        first
        == json.loads(run("sample", str(path), "-n", "3", "--seed", "5", "--json")[1])[
            "conversations"
        ]
    )
    assert first[0]["messages"][0]["content"] == f"q{first[0]['line'] - 1}"


def test_prepare_demo_and_file(tmp_path):
    code, out, _ = run("prepare", "--source", "demo", "--out", str(tmp_path / "demo"), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["train_file"] == str(tmp_path / "demo" / "train.jsonl")
    assert result["splits"]["train"]["rows"] > result["splits"]["test"]["rows"] > 0

    path = write_lines(tmp_path / "d.jsonl", [chat(f"q{i}", f"a{i}") for i in range(20)])
    code, out, _ = run(
        "prepare",
        "--source",
        str(path),
        "--out",
        str(tmp_path / "p"),
        "--test-fraction",
        "0.25",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["splits"]["test"]["rows"] == 5


def test_prepare_hub_offline_says_what_to_do(tmp_path):
    code, out, _ = run(
        "prepare",
        "--source",
        "HuggingFaceH4/ultrachat_200k",
        "--out",
        str(tmp_path / "x"),
        "--split-pc",
        "5",
        "--json",
    )
    assert code == 2
    error = json.loads(out)
    assert error["error"] == "HubUnreachableError"
    assert "demo" in error["hint"]
