"""The judge inside the worker, comparators other than base, and what fails how.

Real worker processes on the tiny model, a real MLflow store, and real HTTP endpoints on
127.0.0.1 (tests/evaluation/endpoints.py) as the judge and the comparator.
"""

from __future__ import annotations

import json
import threading

import pytest

from services import config, tracking
from services.backends.base import ScoringTarget
from services.cli import main
from services.errors import EndpointError
from services.evaluation import evaluations
from services.evaluation.errors import EvaluationError
from services.evaluation.remote import Remote, ask
from tests.evaluation.endpoints import KEY, serve, stop, url
from tests.training.tiny import wait_for


class Endpoints:
    """A backend's scoring_target, for a comparator endpoint served in the test."""

    def __init__(self, targets: dict[str, ScoringTarget]) -> None:
        self.targets = targets

    def scoring_target(self, name: str) -> ScoringTarget:
        if name not in self.targets:
            raise EndpointError(f"No endpoint {name!r}.", "Deploy it first.")
        return self.targets[name]


@pytest.fixture
def endpoint(request):
    server = serve(request.param)
    yield server
    stop(server)


def _ended(job_id: str, evaluation_id: str):
    info = evaluations.get_evaluation(job_id, evaluation_id)
    return info if info.is_terminal else None


def _run_count() -> int:
    client = tracking.local_client()
    experiments = [e.experiment_id for e in client.search_experiments()]
    return len(client.search_runs(experiments))


def test_cli_judge_result_is_saved_in_mlflow_and_the_key_is_nowhere(
    finished_job, monkeypatch, capsys
):
    # An OpenAI-compatible judge that always answers "A": position bias, so every pair ties.
    server = serve(lambda question: "A", api="openai")
    monkeypatch.setenv("STUDIO_JUDGE_KEY", KEY)
    try:
        args = ["evaluate", finished_job, "--rows", "2", "--max-new-tokens", "4", "--json"]
        code = main([*args, "--judge-url", f"http://127.0.0.1:{server.server_port}/v1"])
    finally:
        stop(server)
    output = json.loads(capsys.readouterr().out)
    assert code == 0, output
    assert "judge wins 0/2" in output["verdict"]
    judge = output["scorecard"]["judge"]
    assert (judge["wins"], judge["ties"], judge["losses"]) == (0, 2, 0)
    assert [e["judge"] for e in output["examples"]] == ["tie", "tie"]
    assert len(server.requests) == 1 + 2 * 2  # the check, then each pair in both orders

    client = tracking.local_client()
    run = client.get_run(output["run_id"])
    assert run.data.metrics["judge_ties"] == 2 and run.data.metrics["judge_wins"] == 0
    assert run.data.metrics["judge_win_ci95_high"] == pytest.approx(0.6576, abs=1e-3)
    assert run.data.tags["studio.judge"].endswith("/v1/chat/completions")
    assert "judge wins 0/2" in run.data.tags["studio.verdict"]
    table_file = client.download_artifacts(run.info.run_id, "per_example.json")
    with open(table_file) as table_text:
        table = json.load(table_text)
    assert "judge" in table["columns"]
    # The key reached the worker through its environment only.
    folder = config.jobs_dir() / finished_job / "evaluations" / output["id"]
    for path in folder.iterdir():
        assert KEY not in path.read_text(errors="replace"), path.name
    assert KEY not in json.dumps([run.data.params, run.data.tags])


@pytest.mark.parametrize("endpoint", [lambda question: "Paris is the capital."], indirect=True)
def test_an_endpoint_comparator_gives_replies_but_no_perplexity(finished_job, endpoint):
    backend = Endpoints({"other": ScoringTarget(url(endpoint), KEY)})
    started = evaluations.start_evaluation(
        finished_job, rows=2, max_new_tokens=4, against="other", backend=backend
    )
    info = wait_for(lambda: _ended(finished_job, started.id), 180, "the evaluation to end")

    assert info.status == "finished", info.error
    assert info.comparator == "endpoint other"
    assert info.scorecard["base"]["perplexity"] is None
    assert info.scorecard["tuned"]["perplexity"] > 1
    assert "perplexity not measurable through an endpoint" in info.verdict
    assert {e["base_reply"] for e in info.examples} == {"Paris is the capital."}
    parameters = endpoint.requests[-1]["input_data"]["parameters"]
    assert parameters["max_new_tokens"] == 4 and parameters["do_sample"] is False
    run = tracking.local_client().get_run(info.run_id)
    assert run.data.tags["studio.comparator"] == "endpoint other"
    assert "base_perplexity" not in run.data.metrics and "tuned_perplexity" in run.data.metrics


@pytest.mark.parametrize(
    ("endpoint", "said"),
    [
        (lambda q: (424, {"error": "model crashed"}), "failed inside the deployment (424)"),
        (lambda q: (429, {"error": "slow down"}), "Too many requests right now (429)"),
        (lambda q: (200, {"predictions": [0.1, 0.9]}), "chat-completion model"),
    ],
    indirect=["endpoint"],
)
def test_a_failing_or_non_chat_comparator_is_refused_before_any_run(finished_job, endpoint, said):
    backend = Endpoints({"other": ScoringTarget(url(endpoint), KEY)})
    runs = _run_count()
    with pytest.raises(EndpointError) as raised:
        evaluations.start_evaluation(finished_job, rows=2, against="other", backend=backend)
    assert raised.value.message.startswith("The comparator endpoint (other)")
    assert said in str(raised.value) and raised.value.hint
    assert _run_count() == runs


@pytest.mark.parametrize("endpoint", [lambda question: "fine"], indirect=True)
def test_a_comparator_refusing_the_key_is_a_401_error(finished_job, endpoint):
    backend = Endpoints({"other": ScoringTarget(url(endpoint), "stale-key")})
    with pytest.raises(EndpointError, match=r"refused the key \(401\)"):
        evaluations.start_evaluation(finished_job, rows=2, against="other", backend=backend)


def test_an_unknown_comparator_says_what_can_be_named(finished_job):
    with pytest.raises(EvaluationError) as raised:
        evaluations.start_evaluation(finished_job, against="nope", backend=Endpoints({}))
    assert "neither 'base', a registered model nor an endpoint" in raised.value.message
    assert "--against base" in raised.value.hint


class FailsAfterTheCheck:
    """Answers the start's check, then 429 from the worker's first request on."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, question: str):
        self.calls += 1
        return "OK" if self.calls == 1 else (429, {"error": "rate limited"})


@pytest.mark.parametrize("endpoint", [FailsAfterTheCheck()], indirect=True)
def test_a_comparator_failing_mid_run_ends_the_run_failed_with_the_reason(finished_job, endpoint):
    backend = Endpoints({"other": ScoringTarget(url(endpoint), KEY)})
    started = evaluations.start_evaluation(
        finished_job, rows=2, max_new_tokens=4, against="other", backend=backend
    )
    info = wait_for(lambda: _ended(finished_job, started.id), 180, "the evaluation to end")
    assert info.status == "failed"
    assert "429" in info.error
    run = tracking.local_client().get_run(info.run_id)
    assert run.info.status == "FAILED"
    assert "Too many requests right now (429)" in run.data.tags["studio.error"]


def test_an_endpoint_that_does_not_answer_in_time_is_a_timeout_error():
    answered = threading.Event()

    def stall(question):
        answered.wait(10)  # held until the client has given up
        return "late"

    server = serve(stall)
    try:
        slow = Remote("slow", ScoringTarget(url(server), KEY), timeout_s=0.5)
        with pytest.raises(EndpointError, match=r"No reply from the endpoint within 0.5 s"):
            ask(slow, [{"role": "user", "content": "hi"}], {"max_new_tokens": 2}, None)
    finally:
        answered.set()
        stop(server)


def test_a_registered_version_is_evaluated_as_its_job(finished_job):
    from services.serving import local_registry

    version = local_registry.register_model(finished_job, "tiny-chat")
    subject = f"{version.name}:{version.version}"
    with pytest.raises(EvaluationError, match="is the model being evaluated"):
        evaluations.start_evaluation(subject, against=subject)

    started = evaluations.start_evaluation(subject, rows=2, max_new_tokens=4)
    assert started.job_id == finished_job
    info = wait_for(lambda: _ended(finished_job, started.id), 180, "the evaluation to end")
    assert info.status == "finished", info.error


def test_cancel_stops_a_worker_waiting_on_a_stalled_endpoint_within_15_s(finished_job):
    from services import processes

    release = threading.Event()
    asked = threading.Event()

    def stalls_after_the_check(question):
        if asked.is_set():
            release.wait(60)  # the worker's request hangs here until the test ends
        asked.set()
        return "OK"

    server = serve(stalls_after_the_check)
    try:
        backend = Endpoints({"slow": ScoringTarget(url(server), KEY)})
        started = evaluations.start_evaluation(
            finished_job, rows=2, max_new_tokens=4, against="slow", backend=backend
        )
        wait_for(lambda: len(server.requests) >= 2, 120, "the worker to ask the endpoint")

        evaluations.cancel_evaluation(finished_job, started.id)

        folder = config.jobs_dir() / finished_job / "evaluations" / started.id
        pid = json.loads((folder / "evaluation.json").read_text())["pid"]
        wait_for(lambda: not processes.is_alive(pid), 15, "the worker to be gone")
        info = evaluations.get_evaluation(finished_job, started.id)
        assert info.status == "killed"
        assert tracking.local_client().get_run(info.run_id).info.status == "KILLED"
    finally:
        release.set()
        stop(server)
