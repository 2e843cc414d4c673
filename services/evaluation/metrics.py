"""Generation metrics against a reference, and the shape of a reply. Pure Python, offline.

ROUGE-L (F-measure, Porter stemming) comes from Google's rouge-score, chrF from sacrebleu:
the implementations papers report, so figures compare with published ones. Both are in 0..1
here (sacrebleu gives chrF in 0..100).
"""

from __future__ import annotations

import re
from functools import cache

# A reply counts as repetitive when this share of its word 4-grams repeat an earlier one.
REPETITION_NGRAM = 4
REPETITION_SHARE = 0.3
REPETITION_MIN_WORDS = 12


@cache
def _rouge_scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


@cache
def _chrf():
    from sacrebleu.metrics import CHRF

    return CHRF()


def rouge_l(reply: str, reference: str) -> float:
    """ROUGE-L F-measure of `reply` against `reference`, 0..1."""
    return float(_rouge_scorer().score(reference, reply)["rougeL"].fmeasure)


def chrf(reply: str, reference: str) -> float:
    """Sentence chrF of `reply` against `reference`, 0..1."""
    return float(_chrf().sentence_score(reply, [reference]).score) / 100.0


def is_empty(reply: str) -> bool:
    return not reply.strip()


def is_repetitive(reply: str) -> bool:
    """Whether the reply loops: 30% or more of its word 4-grams repeat an earlier one."""
    words = re.findall(r"\w+", reply.lower())
    if len(words) < REPETITION_MIN_WORDS:
        return False
    grams = [
        tuple(words[i : i + REPETITION_NGRAM]) for i in range(len(words) - REPETITION_NGRAM + 1)
    ]
    return 1 - len(set(grams)) / len(grams) >= REPETITION_SHARE
