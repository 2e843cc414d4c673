"""Per-model figures, the scorecard (tuned vs its comparator) and the verdict line.

The verdict is deliberately plain: the tuned model beats its comparator when its held-out
perplexity is lower AND its ROUGE-L is not lower (within display rounding). Anything else is
"did not improve", naming the figure that says so. The ROUGE-L change carries a paired
bootstrap 95% interval over the rows: on tens of rows a change of a few thousandths is mostly
which rows were drawn, and the line says how far it could go either way.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from services.evaluation import metrics

# ROUGE-L differences smaller than this show as +0.00 and count as "not lower".
ROUGE_TOLERANCE = 0.005
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class Reply:
    """One model's answer to one row, with its held-out loss on that row."""

    text: str
    new_tokens: int  # tokens generated before the end-of-turn token
    cut_off: bool  # stopped by max_new_tokens, not by the model
    loss: float  # mean cross-entropy per assistant token of prompt + reference
    loss_tokens: int  # how many assistant tokens that mean is over


@dataclass(frozen=True)
class ModelFigures:
    loss: float | None  # None: not measurable (an endpoint returns text, not token scores)
    perplexity: float | None
    rouge_l: float
    chrf: float
    reply_words: float  # mean length of a reply in words
    empty_share: float
    cut_off_share: float
    repetitive_share: float


@dataclass(frozen=True)
class Scorecard:
    comparator: str  # "base" or what the tuned model was compared against
    rows: int
    base: ModelFigures
    tuned: ModelFigures
    improved: bool
    verdict: str
    # Paired bootstrap 95% interval of the mean ROUGE-L change (tuned - comparator);
    # None under 2 rows.
    rouge_l_change_95: tuple[float, float] | None = None


def change_interval(
    before: list[float], after: list[float], seed: int = 0
) -> tuple[float, float] | None:
    """95% interval of the mean of after - before over paired rows (percentile bootstrap)."""
    changes = [b - a for a, b in zip(before, after, strict=True)]
    if len(changes) < 2:
        return None
    draw = random.Random(seed).choices
    means = sorted(
        sum(draw(changes, k=len(changes))) / len(changes) for _ in range(BOOTSTRAP_RESAMPLES)
    )
    return means[int(0.025 * BOOTSTRAP_RESAMPLES)], means[int(0.975 * BOOTSTRAP_RESAMPLES) - 1]


def rouge_ls(replies: list[Reply], references: list[str]) -> list[float]:
    """ROUGE-L of each reply against its row's reference."""
    return [metrics.rouge_l(r.text, ref) for r, ref in zip(replies, references, strict=True)]


def figures(
    replies: list[Reply], references: list[str], row_rouge_ls: list[float] | None = None
) -> ModelFigures:
    """One model's figures over all rows; loss is the token-weighted mean, as in training.

    `row_rouge_ls`: rouge_ls(replies, references) when the caller has it already.
    """
    count = len(replies)
    tokens = sum(reply.loss_tokens for reply in replies)
    loss = sum(reply.loss * reply.loss_tokens for reply in replies) / tokens if tokens else None
    return ModelFigures(
        loss=loss,
        perplexity=math.exp(loss) if loss is not None else None,
        rouge_l=_mean(row_rouge_ls or rouge_ls(replies, references)),
        chrf=_mean(metrics.chrf(r.text, ref) for r, ref in zip(replies, references, strict=True)),
        reply_words=_mean(len(reply.text.split()) for reply in replies),
        empty_share=sum(metrics.is_empty(r.text) for r in replies) / max(count, 1),
        cut_off_share=sum(r.cut_off for r in replies) / max(count, 1),
        repetitive_share=sum(metrics.is_repetitive(r.text) for r in replies) / max(count, 1),
    )


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _perplexities(base: float, tuned: float) -> str:
    """Shows "7.9 → 6.1", with more decimals when one would hide the change ("6.61 → 6.59")."""
    for decimals in (1, 2, 3):
        shown = [f"{value:,.{decimals if value < 100 else 0}f}" for value in (base, tuned)]
        if shown[0] != shown[1]:
            break
    return f"{shown[0]} → {shown[1]}"


def _change(value: float) -> str:
    """ "+0.04"; "-0.002" where two decimals would print a change as "-0.00"."""
    return f"{value:+.2f}" if abs(value) >= 0.005 or value == 0 else f"{value:+.3f}"


def verdict(
    base: ModelFigures,
    tuned: ModelFigures,
    comparator: str = "base",
    rouge_interval: tuple[float, float] | None = None,
) -> tuple[bool, str]:
    """(improved, the line a stakeholder reads).

    Without a comparator perplexity (an endpoint), ROUGE-L alone decides, and the line says so.
    `rouge_interval` (change_interval) is shown beside the ROUGE-L change; it does not decide.
    """
    rouge_change = tuned.rouge_l - base.rouge_l
    rouge = f"ROUGE-L {_change(rouge_change)}"
    if rouge_interval:
        low, high = rouge_interval
        rouge += f" (95% CI {low:+.3f} to {high:+.3f})"
    rouge_kept = rouge_change > -ROUGE_TOLERANCE
    if base.perplexity is None or tuned.perplexity is None:
        unmeasured = f"perplexity not measurable through an endpoint; {rouge}"
        if rouge_change >= ROUGE_TOLERANCE:
            return True, f"Tuned beats {comparator}: {unmeasured}"
        return False, f"Tuned did not improve on {comparator}: {unmeasured}"
    perplexity = f"perplexity {_perplexities(base.perplexity, tuned.perplexity)}"
    perplexity_better = tuned.perplexity < base.perplexity
    if perplexity_better and rouge_kept:
        return True, f"Tuned beats {comparator}: {perplexity}, {rouge}"
    worse = []
    if not perplexity_better:
        worse.append(f"{perplexity} (not lower)")
    if not rouge_kept:
        worse.append(f"{rouge} ({base.rouge_l:.2f} → {tuned.rouge_l:.2f})")
    better = [perplexity] if perplexity_better else [rouge] if rouge_change > 0 else []
    though = f"; {better[0]}" if better else ""
    return False, f"Tuned did not improve on {comparator}: {', '.join(worse)}{though}"


def build_scorecard(
    base: list[Reply], tuned: list[Reply], references: list[str], comparator: str = "base"
) -> Scorecard:
    base_rouge, tuned_rouge = rouge_ls(base, references), rouge_ls(tuned, references)
    base_figures = figures(base, references, base_rouge)
    tuned_figures = figures(tuned, references, tuned_rouge)
    interval = change_interval(base_rouge, tuned_rouge)
    improved, line = verdict(base_figures, tuned_figures, comparator, interval)
    return Scorecard(
        comparator, len(references), base_figures, tuned_figures, improved, line, interval
    )


def with_judge(scorecard: dict, tally) -> dict:
    """The scorecard (as stored) with the judge's row, and "judge wins N/M" in its verdict."""
    low, high = tally.win_interval
    judge = {
        "endpoint": tally.judge,
        "wins": tally.wins,
        "ties": tally.ties,
        "losses": tally.losses,
        "pairs": tally.pairs,
        "win_share": tally.wins / tally.pairs if tally.pairs else 0.0,
        "win_interval_95": [round(low, 4), round(high, 4)],
    }
    line = (
        f"{scorecard.get('verdict', '')}, judge wins {tally.wins}/{tally.pairs} "
        f"(95% CI {low:.0%}–{high:.0%}, {tally.losses} losses)"
    )
    return {**scorecard, "judge": judge, "verdict": line.lstrip(", ")}
