"""The optional pairwise judge: an endpoint (scoring contract or OpenAI-compatible) picks the
better reply.

Each row is asked twice, tuned as A then tuned as B, to cancel the judge's position bias: the
pair is a win (or loss) only when both orders agree, a tie otherwise. The win share comes with
a 95% Wilson score interval, which stays inside [0, 1] and behaves at small counts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import requests

from services.evaluation.remote import Remote, ask

Z_95 = 1.959963984540054  # the two-sided 95% normal quantile
JUDGE_PARAMETERS = {"max_new_tokens": 4, "temperature": 0.0, "do_sample": False}
QUESTION = (
    "You judge two assistant replies to the same conversation.\n\n"
    "Conversation's last user message:\n{prompt}\n\n"
    "Reply A:\n{first}\n\n"
    "Reply B:\n{second}\n\n"
    "Which reply is more helpful, correct and fluent? Answer with one letter: A or B."
)


@dataclass(frozen=True)
class JudgeTally:
    judge: str  # the endpoint that judged
    wins: int  # both orders preferred the tuned reply
    ties: int  # the orders disagreed, or the judge named neither
    losses: int  # both orders preferred the comparator's reply

    @property
    def pairs(self) -> int:
        return self.wins + self.ties + self.losses

    @property
    def win_interval(self) -> tuple[float, float]:
        return wilson_interval(self.wins, self.pairs)


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion; (0, 1) when there is no trial."""
    if total == 0:
        return 0.0, 1.0
    share = successes / total
    centre = share + z * z / (2 * total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    scale = 1 + z * z / total
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def _choice(text: str) -> str | None:
    found = re.search(r"\b([AB])\b", text.strip().upper())
    return found.group(1) if found else None


def _ask(judge: Remote, prompt: str, first: str, second: str, session) -> str | None:
    question = QUESTION.format(prompt=prompt, first=first, second=second)
    return _choice(ask(judge, [{"role": "user", "content": question}], JUDGE_PARAMETERS, session))


def judge_pair(judge: Remote, prompt: str, tuned: str, base: str, session=None) -> str:
    """'win', 'tie' or 'loss' for the tuned reply; EndpointError when the judge fails."""
    session = session or requests.Session()
    tuned_first = _ask(judge, prompt, tuned, base, session)  # tuned is A
    tuned_second = _ask(judge, prompt, base, tuned, session)  # tuned is B
    if tuned_first == "A" and tuned_second == "B":
        return "win"
    if tuned_first == "B" and tuned_second == "A":
        return "loss"
    return "tie"


def judge_examples(
    judge: Remote, examples: list[dict], progress=lambda count: None
) -> tuple[JudgeTally, list[str]]:
    """Judge every row of an evaluation's per-example table (prompt, tuned and base replies):
    the tally and each row's outcome, in the table's order."""
    session = requests.Session()
    outcomes = []
    for example in examples:
        tuned, base = example["tuned_reply"], example["base_reply"]
        outcomes.append(judge_pair(judge, example["prompt"], tuned, base, session))
        progress(1)
    tally = JudgeTally(
        judge.label, outcomes.count("win"), outcomes.count("tie"), outcomes.count("loss")
    )
    return tally, outcomes
