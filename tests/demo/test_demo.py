"""The demo pipeline end to end on a tiny model: real worker, real MLflow registry, real server.

The bundled SmolLM2 runs it in the browser journeys' wizard run; here a tiny random Llama keeps
it to seconds of training.
"""

from __future__ import annotations

import json

import pytest
import requests

from services import config
from services.cli import main
from services.demo import DEMO_EVAL_ROWS, STAGES, DemoEvent, read_demo, start_demo
from services.evaluation import evaluations
from services.serving import local_endpoints
from services.training import jobs
from tests.training.tiny import make_tiny_model, wait_for


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return make_tiny_model(tmp_path_factory.mktemp("models") / "tiny-llama")


@pytest.mark.slow
def test_cli_demo_reaches_an_endpoint_that_answers(tiny_model, capsys):
    code = main(["demo", "--model", str(tiny_model), "--max-steps", "3", "--json"])
    assert code == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    stages = [stage for stage, _ in STAGES]
    seen = [e["stage"] for e in events]
    assert sorted(set(seen), key=seen.index) == stages  # every stage, in order
    assert [e["stage"] for e in events if e["stage_done"]] == stages  # each closed once
    endpoint = events[-1]["endpoint"]
    assert endpoint and all(not e["endpoint"] for e in events[:-1])
    verdict = events[-1]["verdict"]
    assert verdict.startswith(("Tuned beats base", "Tuned did not improve on base"))
    assert verdict in events[-1]["message"]  # the Evaluate box shows it

    try:
        job_id = events[-1]["job_id"]
        assert jobs.get_job(job_id).status == "finished"
        (evaluation,) = evaluations.list_evaluations(job_id)
        assert evaluation.status == "finished" and evaluation.verdict == verdict
        assert evaluation.rows == DEMO_EVAL_ROWS and evaluation.max_new_tokens == 64
        target = local_endpoints.scoring_target(endpoint)
        answer = requests.post(
            target.scoring_uri,
            json={"input_data": {"input_string": [{"role": "user", "content": "What is 2+2?"}]}},
            headers={"Authorization": f"Bearer {target.key}"},
            timeout=60,
        )
        assert answer.status_code == 200
        assert "output" in answer.json()
    finally:
        local_endpoints.delete_endpoint(endpoint)


def test_a_background_demo_that_fails_says_why():
    assert read_demo() is None
    start_demo(model_id="no-such-model")
    run = wait_for(lambda: (r := read_demo()) and not r.running and r, 60, "the demo to stop")
    assert "no-such-model" in run.error
    assert run.hint  # what to do next
    assert run.endpoint == ""
    assert [e.stage for e in run.events] == ["data", "data"]  # the data stage had finished
    assert not list(config.jobs_dir().glob("*/job.json"))  # it stopped before training


def test_cli_text_names_each_stage_once_and_ends_with_the_endpoint(monkeypatch, capsys):
    from services.cli import demo as demo_cli

    def fake_run(model_id, max_steps):
        for stage, _ in STAGES:
            yield DemoEvent(stage, f"{stage} starts")
            yield DemoEvent(stage, f"{stage} done", stage_done=True, endpoint="")
        yield DemoEvent(
            "evaluate", "ready", stage_done=True, endpoint="demo-ep-v1", verdict="Tuned beats base"
        )

    monkeypatch.setattr(demo_cli, "run_demo", fake_run)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("== ")] == [
        f"== {title}" for _, title in STAGES
    ]
    assert "   ✓ data done" in out and "   · train starts" in out
    assert "\nTuned beats base\n" in out  # the verdict, before the chat
    assert out.index("Tuned beats base\n") < out.index("python -m services chat")
    assert "python -m services chat demo-ep-v1" in out
    assert "python -m services endpoints delete demo-ep-v1" in out
