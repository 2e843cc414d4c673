import json
import subprocess
import sys


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services", "params", "show", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_params_show_prints_final_params_and_display_name():
    done = run_cli("--model", "SmolLM2-135M-Instruct", "--set", "max_steps=20", "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["params"]["max_steps"] == 20
    assert shown["sources"]["max_steps"] == "you"
    assert shown["display_name"].startswith("SmolLM2-135M-Instruct-ultrachat-bs1-cosine")


def test_params_show_refuses_invalid_values_with_exit_1():
    done = run_cli("--model", "SmolLM2-135M-Instruct", "--set", "learning_rate=x", "--json")
    assert done.returncode == 1
    assert "learning_rate must be a number" in json.loads(done.stdout)["reasons"][0]
