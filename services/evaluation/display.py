"""How evaluations read on screen and in the CLI: tables of figures (no UI code here)."""

from __future__ import annotations

from services.evaluation.evaluations import EvaluationInfo
from services.job_display import format_duration, format_time

# (figure, label, lower is better, as a percentage)
FIGURES = (
    ("perplexity", "Perplexity (held-out)", True, False),
    ("loss", "Loss (held-out)", True, False),
    ("rouge_l", "ROUGE-L", False, False),
    ("chrf", "chrF", False, False),
    ("reply_words", "Reply length (words)", None, False),
    ("empty_share", "Empty replies", True, True),
    ("cut_off_share", "Cut off at max_new_tokens", True, True),
    ("repetitive_share", "Repetitive replies", True, True),
)


NOT_MEASURED = "n/a"  # perplexity of an endpoint: it returns text, not token scores


def _shown(value: float | None, percent: bool) -> str:
    if value is None:
        return NOT_MEASURED
    return f"{value:.0%}" if percent else f"{value:.3f}"


def _change(base: float | None, tuned: float | None, percent: bool) -> str:
    if base is None or tuned is None:
        return ""
    return f"{tuned - base:+.0%}" if percent else f"{tuned - base:+.3f}"


def scorecard_rows(scorecard: dict) -> list[dict]:
    """One row per figure: base, tuned, change and whether the change is for the better."""
    comparator = scorecard.get("comparator", "base")
    rows = []
    for name, label, lower_better, percent in FIGURES:
        base, tuned = scorecard["base"][name], scorecard["tuned"][name]
        unknown = lower_better is None or base is None or tuned is None or base == tuned
        better = "" if unknown else (tuned < base) == lower_better
        rows.append(
            {
                "figure": label,
                comparator: _shown(base, percent),
                "tuned": _shown(tuned, percent),
                "change": _change(base, tuned, percent),
                "better": {True: "yes", False: "no", "": ""}[better],
            }
        )
    judge = scorecard.get("judge")
    if judge:
        low, high = judge["win_interval_95"]
        rows.append(
            {
                "figure": "Judge: tuned wins / ties / losses",
                comparator: "",
                "tuned": f"{judge['wins']} / {judge['ties']} / {judge['losses']}",
                "change": f"win share {judge['win_share']:.0%} (95% CI {low:.0%}–{high:.0%})",
                "better": "yes" if judge["wins"] > judge["losses"] else "no",
            }
        )
    return rows


def judge_line(scorecard: dict) -> str:
    """The judge's row in words ("" without a judge)."""
    judge = scorecard.get("judge")
    if not judge:
        return ""
    low, high = judge["win_interval_95"]
    return (
        f"Judge {judge['endpoint']}: tuned wins {judge['wins']}, ties {judge['ties']}, "
        f"loses {judge['losses']} of {judge['pairs']} pairs (each asked in both orders); "
        f"win share {judge['win_share']:.0%}, 95% CI {low:.0%}–{high:.0%}"
    )


def evaluation_rows(evaluations: list[EvaluationInfo]) -> list[dict]:
    """The job's past evaluations, one row each."""
    return [
        {
            "id": e.id,
            "status": e.status,
            "started": format_time(e.created_at),
            "took": format_duration(e.ended_at - e.created_at) if e.ended_at else "",
            "rows": e.rows,
            "verdict": e.verdict or (e.error.strip().splitlines() or [""])[-1],
        }
        for e in evaluations
    ]


def example_summary_rows(examples: list[dict]) -> list[dict]:
    """The per-example table as listed (largest change first), replies shortened."""
    return [
        {
            "row": e["row"],
            "prompt": _short(e["prompt"]),
            "ROUGE-L change": e["rouge_l_change"],
            "base ROUGE-L": e["base_rouge_l"],
            "tuned ROUGE-L": e["tuned_rouge_l"],
            "base loss": e["base_loss"],
            "tuned loss": e["tuned_loss"],
            **({"judge": e["judge"]} if "judge" in e else {}),
        }
        for e in examples
    ]


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def progress_text(info: EvaluationInfo) -> tuple[float, str]:
    """(fraction done, "generating: tuned · 30/200")."""
    if not info.total:
        return 0.0, info.stage or "starting the evaluation worker…"
    return min(info.done / info.total, 1.0), f"{info.stage} · {info.done}/{info.total}"
