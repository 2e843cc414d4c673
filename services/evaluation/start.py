"""Starting an evaluation as the Evaluate page's form asks: the judge picked by kind, then the
evaluation itself (services.evaluation.evaluations.start_evaluation)."""

from __future__ import annotations

from dataclasses import dataclass

from services.evaluation import evaluations
from services.evaluation.remote import Remote, choose_judge
from services.security.roles import Caller

NO_JUDGE = "No judge"
ENDPOINT_JUDGE = "A running endpoint"
URL_JUDGE = "An OpenAI-compatible URL"
JUDGE_KINDS = (NO_JUDGE, ENDPOINT_JUDGE, URL_JUDGE)


@dataclass(frozen=True)
class JudgeChoice:
    """What the form says about the judge; only the fields of the chosen `kind` count."""

    kind: str = NO_JUDGE
    endpoint: str = ""
    url: str = ""
    key: str = ""
    model: str = ""

    def remote(self, backend) -> Remote | None:
        """The judge to ask (None: no judge). Raises EndpointError for a bad URL or endpoint."""
        return choose_judge(
            backend,
            endpoint=self.endpoint if self.kind == ENDPOINT_JUDGE else "",
            url=self.url if self.kind == URL_JUDGE else "",
            key=self.key,
            model=self.model,
        )


def start_with_judge(
    backend,
    job_id: str,
    judge: JudgeChoice,
    *,
    caller: Caller | None = None,
    **options,
) -> evaluations.EvaluationInfo:
    """Check the judge, then start the evaluation of `job_id` (options: rows, max_new_tokens,
    seed, against; see start_evaluation). Raises EndpointError / EvaluationError."""
    remote = judge.remote(backend)
    return evaluations.start_evaluation(
        job_id, judge=remote, backend=backend, caller=caller, **options
    )
