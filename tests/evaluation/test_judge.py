"""The pairwise judge: a fake judge on 127.0.0.1 speaking the scoring contract, real HTTP."""

from __future__ import annotations

import pytest

from services.backends.base import ScoringTarget
from services.errors import EndpointError
from services.evaluation.judge import JudgeTally, judge_examples, wilson_interval
from services.evaluation.remote import Remote, openai_compatible
from services.evaluation.scorecard import with_judge
from tests.evaluation.endpoints import KEY, remote, serve, stop


@pytest.fixture
def judge_server(request):
    server = serve(request.param)
    yield remote(server)
    stop(server)


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
    tally, outcomes = judge_examples(judge_server, EXAMPLES)
    assert (tally.wins, tally.ties, tally.losses) == (2, 1, 1)
    assert outcomes == ["win", "win", "loss", "tie"]


@pytest.mark.parametrize("judge_server", [always_a], indirect=True)
def test_a_position_biased_judge_gives_only_ties(judge_server):
    tally, _ = judge_examples(judge_server, EXAMPLES)
    assert (tally.wins, tally.ties, tally.losses) == (0, 4, 0)


@pytest.mark.parametrize("judge_server", [prefers_good], indirect=True)
def test_a_judge_that_refuses_the_key_is_a_clear_error(judge_server):
    wrong = Remote("fake-judge", ScoringTarget(judge_server.target.scoring_uri, "not-the-key"))
    with pytest.raises(EndpointError) as raised:
        judge_examples(wrong, EXAMPLES)
    assert "401" in raised.value.message or "key" in raised.value.message.lower()
    assert raised.value.hint


def test_the_scorecard_gains_a_judge_row_and_the_verdict_its_wins():
    scorecard = {"verdict": "Tuned beats base: perplexity 7.9 → 6.1, ROUGE-L +0.04", "rows": 10}
    judged = with_judge(scorecard, JudgeTally("fake-judge", wins=8, ties=1, losses=1))
    assert judged["verdict"].endswith("ROUGE-L +0.04, judge wins 8/10 (95% CI 49%–94%, 1 losses)")
    assert judged["judge"]["pairs"] == 10 and judged["judge"]["win_share"] == 0.8
    assert judged["judge"]["win_interval_95"] == pytest.approx([0.4902, 0.9433], abs=1e-4)
    assert "judge" not in scorecard  # the stored scorecard is left as it was


def test_an_openai_compatible_judge_is_asked_with_its_model_and_key():
    server = serve(prefers_good, api="openai")
    try:
        judge = openai_compatible(f"http://127.0.0.1:{server.server_port}/v1", KEY, "judge-model")
        tally, _ = judge_examples(judge, EXAMPLES)
    finally:
        stop(server)
    assert (tally.wins, tally.ties, tally.losses) == (2, 1, 1)
    assert judge.target.scoring_uri.endswith("/v1/chat/completions")
    assert {body["model"] for body in server.requests} == {"judge-model"}
    assert all(body["temperature"] == 0.0 for body in server.requests)
    assert KEY not in str(judge.describe())
