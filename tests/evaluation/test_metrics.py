"""Generation metrics, reply shape and the verdict line, on known strings and figures."""

from __future__ import annotations

import math

import pytest

from services.evaluation import metrics
from services.evaluation.per_example import example_rows
from services.evaluation.rows import EvalRow
from services.evaluation.scorecard import (
    ModelFigures,
    Reply,
    build_scorecard,
    change_interval,
    figures,
    verdict,
)


def test_rouge_l_on_known_strings():
    assert metrics.rouge_l("the cat sat on the mat", "the cat sat on the mat") == 1.0
    # LCS "the cat on the mat": 5 of 6 words each way -> F = 5/6
    assert metrics.rouge_l("the cat is on the mat", "the cat sat on the mat") == pytest.approx(
        5 / 6
    )
    assert metrics.rouge_l("cats running", "cat runs") == 1.0  # Porter stemming
    assert metrics.rouge_l("", "anything") == 0.0


def test_chrf_on_known_strings():
    assert metrics.chrf("Paris is the capital.", "Paris is the capital.") == pytest.approx(1.0)
    assert metrics.chrf("xyz", "Paris") == 0.0
    partial = metrics.chrf("Paris is a city.", "Paris is the capital.")
    assert partial == pytest.approx(0.3601, abs=1e-3)  # sacrebleu's chrF (beta 2, n=6)


def test_repetition_detection():
    assert metrics.is_repetitive("I am here. " * 10)
    assert metrics.is_repetitive("The answer is yes and the answer is yes and the answer is yes.")
    varied = "Paris is the capital of France and its largest city, on the Seine, with museums."
    assert not metrics.is_repetitive(varied)
    assert not metrics.is_repetitive("no no no")  # too short to call
    assert metrics.is_empty("  \n") and not metrics.is_empty("ok")


def _figures(perplexity: float, rouge_l: float) -> ModelFigures:
    return ModelFigures(math.log(perplexity), perplexity, rouge_l, 0.3, 20, 0, 0, 0)


def test_verdict_when_the_tuned_model_is_better():
    improved, line = verdict(_figures(7.93, 0.21), _figures(6.08, 0.25))
    assert improved
    assert line == "Tuned beats base: perplexity 7.9 → 6.1, ROUGE-L +0.04"


def test_verdict_names_the_figure_that_did_not_improve():
    improved, line = verdict(_figures(7.9, 0.21), _figures(8.3, 0.25))
    assert not improved
    assert line == "Tuned did not improve on base: perplexity 7.9 → 8.3 (not lower); ROUGE-L +0.04"

    improved, line = verdict(_figures(7.9, 0.25), _figures(6.1, 0.20))
    assert not improved
    assert "ROUGE-L -0.05 (0.25 → 0.20)" in line and "perplexity 7.9 → 6.1" in line


def test_a_rouge_drop_inside_rounding_still_counts_as_kept():
    improved, _ = verdict(_figures(7.9, 0.250), _figures(6.1, 0.248))
    assert improved


def test_figures_weight_loss_by_tokens_and_count_reply_shapes():
    replies = [
        Reply("Paris.", 2, False, loss=1.0, loss_tokens=30),
        Reply("", 0, False, loss=3.0, loss_tokens=10),
        Reply("yes and yes and " * 8, 64, True, loss=2.0, loss_tokens=0),
    ]
    result = figures(replies, ["Paris.", "Rome.", "No."])
    assert result.loss == pytest.approx((30 * 1.0 + 10 * 3.0) / 40)
    assert result.perplexity == pytest.approx(math.exp(1.5))
    assert result.empty_share == pytest.approx(1 / 3)
    assert result.cut_off_share == pytest.approx(1 / 3)
    assert result.repetitive_share == pytest.approx(1 / 3)
    assert result.rouge_l == pytest.approx(1 / 3)


def test_scorecard_and_table_sorted_by_largest_change():
    rows = [
        EvalRow(0, [{"role": "user", "content": "Capital of France?"}], "Paris is the capital."),
        EvalRow(5, [{"role": "user", "content": "2+2?"}], "Four."),
    ]
    base = [Reply("Paris is the capital.", 5, False, 1.0, 5), Reply("Five.", 2, False, 2.0, 2)]
    tuned = [Reply("Paris is the capital.", 5, False, 0.5, 5), Reply("Four.", 2, False, 1.0, 2)]
    card = build_scorecard(base, tuned, [row.reference for row in rows])
    assert card.improved and card.rows == 2
    assert card.tuned.rouge_l == 1.0 and card.base.rouge_l == 0.5
    table = example_rows(rows, base, tuned)
    assert [e.row for e in table] == [5, 0]
    assert table[0].rouge_l_change == 1.0 and table[0].base_reply == "Five."


def test_a_row_without_assistant_tokens_in_reach_is_left_out_of_the_loss():
    rows = [
        EvalRow(0, [{"role": "user", "content": "q"}], "a"),
        EvalRow(1, [{"role": "user", "content": "long"}], "b"),
    ]
    base = [Reply("a", 1, False, 2.0, 10), Reply("b", 1, False, 0.0, 0)]
    card = build_scorecard(base, base, ["a", "b"])
    assert card.base.loss == 2.0 and math.isfinite(card.base.perplexity)
    assert example_rows(rows, base, base)[1].base_loss is None


def test_a_small_change_is_printed_with_the_decimals_that_show_it():
    # Seen on ultrachat: "perplexity 6.6 → 6.6, ROUGE-L -0.00" read as no change at all.
    improved, line = verdict(_figures(6.611, 0.2306), _figures(6.590, 0.2283))
    assert improved  # a ROUGE-L drop inside the tolerance
    assert line == "Tuned beats base: perplexity 6.61 → 6.59, ROUGE-L -0.002"
    _, line = verdict(_figures(250.4, 0.2), _figures(120.6, 0.2))
    assert "perplexity 250 → 121, ROUGE-L +0.00" in line


def test_the_rouge_change_carries_a_paired_interval_that_does_not_decide():
    before = [0.20, 0.25, 0.30, 0.22, 0.28, 0.24, 0.26, 0.21]
    after = [0.21, 0.24, 0.31, 0.22, 0.27, 0.25, 0.25, 0.22]  # mean change +0.00125
    low, high = change_interval(before, after)
    assert low < 0.00125 < high and high - low < 0.02
    assert change_interval(before, after) == (low, high)  # seeded: a rerun prints the same
    assert change_interval(before, before) == (0.0, 0.0)
    assert change_interval([0.2], [0.3]) is None  # one row: no interval

    improved, line = verdict(
        _figures(6.611, 0.2306), _figures(6.590, 0.2283), "base", (-0.012, 0.006)
    )
    assert improved  # shown, not deciding: the rule is the tolerance
    assert line == (
        "Tuned beats base: perplexity 6.61 → 6.59, ROUGE-L -0.002 (95% CI -0.012 to +0.006)"
    )
