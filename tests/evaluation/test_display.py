"""How scorecards and evaluations read on the page (pure functions)."""

from __future__ import annotations

import dataclasses

from services.evaluation.display import progress_text, scorecard_rows
from services.evaluation.evaluations import EvaluationInfo
from services.evaluation.scorecard import ModelFigures


def test_scorecard_rows_say_which_changes_are_for_the_better():
    base = ModelFigures(2.1, 8.3, 0.28, 0.25, 25.0, 0.0, 0.125, 0.25)
    tuned = ModelFigures(2.0, 8.1, 0.27, 0.25, 24.0, 0.0, 0.125, 0.0)
    card = {
        "comparator": "base",
        "base": dataclasses.asdict(base),
        "tuned": dataclasses.asdict(tuned),
    }
    rows = {row["figure"]: row for row in scorecard_rows(card)}
    assert rows["Perplexity (held-out)"]["better"] == "yes"
    assert rows["Perplexity (held-out)"]["change"] == "-0.200"
    assert rows["ROUGE-L"]["better"] == "no"
    assert rows["chrF"]["better"] == ""  # unchanged
    assert rows["Repetitive replies"] == {
        "figure": "Repetitive replies",
        "base": "25%",
        "tuned": "0%",
        "change": "-25%",
        "better": "yes",
    }


def test_progress_text_before_and_during_the_run():
    info = EvaluationInfo("e", "j", "running", "r", rows=4, seed=0, max_new_tokens=8)
    assert progress_text(info) == (0.0, "starting the evaluation worker…")
    running = dataclasses.replace(info, stage="generating: tuned", done=12, total=16)
    assert progress_text(running) == (0.75, "generating: tuned · 12/16")
