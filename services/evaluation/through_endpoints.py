"""Evaluation through endpoints: the Azure path (no local weights).

The tuned model answers from its deployment; the comparator is another endpoint, or the base
model deployed from the azureml registry as its own managed online deployment for this
evaluation (offered with its hourly price first, deleted when the evaluation ends, whatever
happens). Both are called with the Chat page's scoring client (services.chat.client).

Held-out loss: an endpoint returns text, not token scores, so the evaluation cannot compute
perplexity on Azure. The tuned figure is the job's own eval_loss as the pipeline logged it (on
its whole test split); the base model's cannot be had there: chat_completion_pipeline logs no
loss for the model before fine-tuning, and a deployment gives no token probabilities.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import requests

from services.backends.base import Backend, DeploymentOffer
from services.evaluation import azure_runs
from services.evaluation.judge import judge_examples
from services.evaluation.per_example import example_rows
from services.evaluation.remote import Remote, ask, check_chat
from services.evaluation.rows import DEFAULT_ROWS, DEFAULT_SEED, EvalRow, select_rows
from services.evaluation.scorecard import Reply, build_scorecard, with_judge

NO_BASE_LOSS = (
    "The base model's held-out loss cannot be had on Azure: the fine-tuning pipeline logs "
    "eval_loss for the tuned model only, and an endpoint returns text, not token scores."
)

Progress = Callable[[str], None]


DEPLOYED_BASE = "base model (deployed for this evaluation)"


def comparator_choices(running: list[str], tuned: str) -> list[str]:
    """What the tuned endpoint can be compared with: its base model deployed for the
    evaluation (DEPLOYED_BASE), or another running endpoint."""
    return [DEPLOYED_BASE, *[name for name in running if name != tuned]]


def endpoint_replies(
    remote: Remote,
    rows: list[EvalRow],
    parameters: dict,
    count_tokens: Callable[[str], int] = lambda text: len(text.split()),
    advance: Callable[[int], None] = lambda count: None,
) -> list[Reply]:
    """One request per row. Without the model's tokenizer, replies are counted in words, so the
    cut-off share is a lower bound. No loss: (0.0, 0 tokens)."""
    session, replies = requests.Session(), []
    for row in rows:
        text = ask(remote, row.prompt, parameters, session).strip()
        tokens = count_tokens(text)
        replies.append(Reply(text, tokens, tokens >= parameters["max_new_tokens"], 0.0, 0))
        advance(1)
    return replies


def base_offer(backend: Backend, job_id: str, instance_type: str = "") -> DeploymentOffer:
    """What deploying the job's base model from the registry would take (instance, price)."""
    model_id = backend.get_job(job_id).model_id
    return backend.offer_base_deployment(model_id, instance_type)


def held_out_loss(backend, job_id: str) -> dict:
    """The job's last logged eval_loss (and its perplexity); the base figure said plainly."""
    history = backend.get_metrics(job_id).get("eval_loss") or []
    loss = history[-1][1] if history else None
    return {
        "tuned_eval_loss": loss,
        "tuned_perplexity": math.exp(loss) if loss is not None else None,
        "source": "the job's logged eval_loss (its whole test split)",
        "base": None,
        "note": NO_BASE_LOSS if history else "The job logged no eval_loss. " + NO_BASE_LOSS,
    }


def evaluate(
    backend,
    job_id: str,
    tuned_endpoint: str,
    test_file: str,
    *,
    against: str = "",
    base_offer=None,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    max_new_tokens: int = 128,
    temperature: float = 0.0,
    top_p: float = 1.0,
    judge: Remote | None = None,
    on_progress: Progress = lambda line: None,
) -> dict:
    """Score the tuned deployment against `against` (an endpoint) or, with `base_offer` (see
    Backend.offer_base_deployment), the base model deployed for this run; tracked as an MLflow
    run in the workspace, beside the training run (services.evaluation.azure_runs)."""
    chosen = select_rows(test_file, rows, seed)  # bad input fails here, before any MLflow run
    parameters = {
        "max_new_tokens": max_new_tokens,
        "temperature": temperature,
        "top_p": top_p,
        "do_sample": temperature > 0,
    }
    label = f"endpoint {against}" if against else "base"
    store = azure_runs.tracking_store(backend)
    tags = {
        "studio.comparator": label,
        "studio.tuned_endpoint": tuned_endpoint,
        **({"studio.judge": judge.label} if judge else {}),
        "studio.test_file": test_file,
        "studio.rows": f"{len(chosen)} rows, seed {seed}",
        "studio.row_indices": ",".join(str(row.index) for row in chosen),
    }
    sampling = {"max_new_tokens": max_new_tokens, "temperature": temperature, "top_p": top_p}
    run_id = azure_runs.open_run(
        store, job_id, tags, {**sampling, "rows": len(chosen), "seed": seed}
    )
    try:
        options = dict(against=against, base_offer=base_offer, judge=judge, on_progress=on_progress)
        result = _evaluate(backend, job_id, tuned_endpoint, chosen, label, parameters, **options)
        azure_runs.finish_run(store, run_id, result["scorecard"], result["examples"])
    except BaseException as error:  # any failure (logging too) ends the run FAILED, with why
        azure_runs.fail_run(store, run_id, f"{type(error).__name__}: {error}")
        raise
    return {**result, "run_id": run_id}


def _evaluate(
    backend,
    job_id: str,
    tuned_endpoint: str,
    chosen: list[EvalRow],
    label: str,
    parameters: dict,
    *,
    against: str,
    base_offer,
    judge: Remote | None,
    on_progress: Progress,
) -> dict:
    tuned = Remote(tuned_endpoint, backend.scoring_target(tuned_endpoint))
    check_chat(tuned, "The tuned endpoint")
    if judge is not None:
        check_chat(judge, "The judge")
    deployed = ""
    try:
        if against:
            comparator = Remote(against, backend.scoring_target(against))
        else:
            endpoint = backend.deploy_base_model(
                base_offer.model_id,
                instance_type=base_offer.instance_type,
                on_progress=on_progress,
            )
            deployed = endpoint.name
            comparator = Remote(deployed, backend.scoring_target(deployed))
        check_chat(comparator, "The comparator endpoint")
        on_progress(f"asking {tuned_endpoint} and {comparator.label}: {len(chosen)} rows each")
        replies = {
            "tuned": endpoint_replies(tuned, chosen, parameters),
            "base": endpoint_replies(comparator, chosen, parameters),
        }
    finally:
        if deployed:
            on_progress(f"deleting {deployed} (it bills by the hour)")
            backend.delete_endpoint(deployed)
    references = [row.reference for row in chosen]
    card = build_scorecard(replies["base"], replies["tuned"], references, label)
    scorecard = dataclasses.asdict(card)
    table = example_rows(chosen, replies["base"], replies["tuned"])
    examples = [dataclasses.asdict(example) for example in table]
    if judge is not None:
        on_progress(f"judging with {judge.label}")
        tally, outcomes = judge_examples(judge, examples)
        for example, outcome in zip(examples, outcomes, strict=True):
            example["judge"] = outcome
        scorecard = with_judge(scorecard, tally)
    scorecard["held_out"] = held_out_loss(backend, job_id)
    return {
        "job_id": job_id,
        "tuned_endpoint": tuned_endpoint,
        "comparator": label,
        "base_endpoint_deleted": deployed,
        "scorecard": scorecard,
        "examples": examples,
    }
