"""The pairwise judge: a fake judge on 127.0.0.1 speaking the scoring contract, real HTTP."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.backends.base import ScoringTarget
from services.errors import EndpointError
from services.evaluation.judge import JudgeTally, judge_examples, wilson_interval
from services.evaluation.scorecard import with_judge

KEY = "judge-key-123456"


def serve_judge(pick):
    """A judge endpoint answering {"output": pick(question)}; 401 without the right key."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.headers.get("Authorization") != f"Bearer {KEY}":
                status, answer = 401, {"detail": "bad key"}
            else:
                question = body["input_data"]["input_string"][-1]["content"]
                status, answer = 200, {"output": pick(question)}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def judge_server(request):
    server = serve_judge(request.param)
    yield ScoringTarget(f"http://127.0.0.1:{server.server_port}/score", KEY)
    server.shutdown()
    server.server_close()


def prefers_good(question: str) -> str:
    """A fair judge: the reply that says GOOD, wherever it is shown."""
    first = question.split("Reply A:")[1].split("Reply B:")[0]
    return "A" if "GOOD" in first else "B" if "GOOD" in question else "A"


def always_a(question: str) -> str:
    return "A"  # pure position bias: both orders disagree, every pair a tie


EXAMPLES = [
    {"prompt": "q1", "tuned_reply": "GOOD one", "base_reply": "meh"},
    {"prompt": "q2", "tuned_reply": "GOOD two", "base_reply": "meh"},
    {"prompt": "q3", "tuned_reply": "meh", "base_reply": "GOOD three"},
    {"prompt": "q4", "tuned_reply": "meh", "base_reply": "meh too"},  # neither: biased to A
]


def test_wilson_interval_matches_known_values():
    # Reference figures: scipy.stats.binomtest(k, n).proportion_ci(method="wilson").
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(31, 50) == pytest.approx((0.4815, 0.7414), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("judge_server", [prefers_good], indirect=True)
def test_a_pair_wins_only_when_both_orders_agree(judge_server):
    tally = judge_examples("fake-judge", judge_server, EXAMPLES)
    assert (tally.wins, tally.ties, tally.losses) == (2, 1, 1)


@pytest.mark.parametrize("judge_server", [always_a], indirect=True)
def test_a_position_biased_judge_gives_only_ties(judge_server):
    tally = judge_examples("fake-judge", judge_server, EXAMPLES)
    assert (tally.wins, tally.ties, tally.losses) == (0, 4, 0)


@pytest.mark.parametrize("judge_server", [prefers_good], indirect=True)
def test_a_judge_that_refuses_the_key_is_a_clear_error(judge_server):
    wrong = ScoringTarget(judge_server.scoring_uri, "not-the-key")
    with pytest.raises(EndpointError) as raised:
        judge_examples("fake-judge", wrong, EXAMPLES)
    assert "401" in raised.value.message or "key" in raised.value.message.lower()
    assert raised.value.hint


def test_the_scorecard_gains_a_judge_row_and_the_verdict_its_wins():
    scorecard = {"verdict": "Tuned beats base: perplexity 7.9 → 6.1, ROUGE-L +0.04", "rows": 10}
    judged = with_judge(scorecard, JudgeTally("fake-judge", wins=8, ties=1, losses=1))
    assert judged["verdict"].endswith("ROUGE-L +0.04, judge wins 8/10")
    assert judged["judge"]["pairs"] == 10 and judged["judge"]["win_share"] == 0.8
    assert judged["judge"]["win_interval_95"] == pytest.approx([0.4902, 0.9433], abs=1e-4)
    assert "judge" not in scorecard  # the stored scorecard is left as it was


@pytest.mark.parametrize("judge_server", [always_a], indirect=True)
def test_cli_evaluate_with_a_judge_adds_its_row_and_wins(
    finished_job, judge_server, monkeypatch, capsys
):
    from services.backends.local import LocalBackend
    from services.cli import main

    monkeypatch.setattr(LocalBackend, "scoring_target", lambda self, name: judge_server)
    args = ["evaluate", finished_job, "--rows", "2", "--max-new-tokens", "4", "--json"]
    assert main([*args, "--judge", "fake-judge"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["verdict"].endswith(", judge wins 0/2")  # a biased judge: ties only
    judge = output["scorecard"]["judge"]
    assert (judge["wins"], judge["ties"], judge["losses"]) == (0, 2, 0)
    assert judge["endpoint"] == "fake-judge"
