"""`python -m services evaluate JOB_OR_MODEL` and `python -m services evaluations list JOB`.

`evaluate` starts an evaluation of a finished local job (or of the job a registered MODEL[:V]
came from) against its base model, another registered version or an endpoint (`--against`),
follows it to the end (progress on stderr) and prints the scorecard and verdict; exit 0 when it
ran, 1 when it failed or was cancelled. Ctrl-C cancels it. With --judge ENDPOINT (an endpoint of
the default backend) or --judge-url URL (OpenAI-compatible; key from $STUDIO_JUDGE_KEY or
$OPENAI_API_KEY), the worker has each pair of replies judged (services.evaluation.judge): the
scorecard gains a judge row, the verdict "judge wins N/M", the MLflow run the judge's figures.

On a backend without local weights (Azure) it evaluates through endpoints: --tuned-endpoint
and --data (the test split), against an endpoint or the base model deployed from the registry
for the evaluation (--deploy-base accepts its hourly price; it is deleted when done), and
`evaluations list` reads the evaluations from the backend's evaluation store (the workspace's
MLflow runs).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

from services.backends import create_backend, default_backend_name
from services.cli.output import add_json_flag, emit
from services.errors import ValidationError
from services.evaluation import evaluations
from services.evaluation.display import judge_line
from services.evaluation.evaluations import EvaluationInfo
from services.evaluation.remote import Remote, choose_judge
from services.evaluation.rows import DEFAULT_ROWS, DEFAULT_SEED

FOLLOW_INTERVAL_S = 1.0


def register(subparsers) -> None:
    parser = subparsers.add_parser("evaluate", help="score a finished job against its base model")
    parser.add_argument("job_id", metavar="JOB_OR_MODEL", help="a job id or MODEL[:VERSION]")
    parser.add_argument(
        "--against",
        default="base",
        metavar="base|MODEL[:V]|ENDPOINT",
        help="the comparator: the base model (default), a registered version or an endpoint",
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="test rows to sample")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the row sample")
    parser.add_argument(
        "--max-new-tokens", type=int, default=evaluations.DEFAULT_MAX_NEW_TOKENS, metavar="N"
    )
    parser.add_argument("--temperature", type=float, default=0.0, help="0: greedy (default)")
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=evaluations.DEFAULT_BATCH_SIZE)
    parser.add_argument(
        "--checkpoint",
        type=int,
        metavar="STEP",
        help="score the checkpoint the job kept at this step (see `jobs checkpoints JOB`)",
    )
    parser.add_argument(
        "--judge",
        metavar="ENDPOINT",
        help="an endpoint (scoring contract) that judges each pair of replies in both orders",
    )
    parser.add_argument(
        "--judge-url",
        metavar="URL",
        help="an OpenAI-compatible chat API as the judge (key: $STUDIO_JUDGE_KEY or "
        "$OPENAI_API_KEY)",
    )
    parser.add_argument("--judge-model", default="", help="the model the --judge-url API runs")
    azure = parser.add_argument_group(
        "through endpoints (Azure ML: no local weights, the job's deployment answers)"
    )
    azure.add_argument("--tuned-endpoint", metavar="ENDPOINT", help="the tuned model's endpoint")
    azure.add_argument("--data", metavar="TEST_FILE", help="the test split the job trained with")
    azure.add_argument(
        "--deploy-base",
        action="store_true",
        help="accept deploying the base model from the azureml registry for this evaluation "
        "(billed by the hour; deleted when it ends)",
    )
    azure.add_argument("--instance-type", default="", help="for the base model's deployment")
    add_json_flag(parser)
    parser.set_defaults(handler=evaluate)

    group = subparsers.add_parser("evaluations", help="a job's evaluations")
    verbs = group.add_subparsers(dest="evaluations_verb", required=True)
    listing = verbs.add_parser("list", help="a job's evaluations, newest first")
    listing.add_argument("job_id", metavar="JOB")
    add_json_flag(listing)
    listing.set_defaults(handler=list_evaluations)


def summary(info: EvaluationInfo, examples: bool = True) -> dict:
    """What the JSON output holds (the per-example table only when asked)."""
    fields = {
        "id": info.id,
        "job_id": info.job_id,
        "status": info.status,
        "run_id": info.run_id,
        "comparator": info.comparator,
        "rows": info.rows,
        "seed": info.seed,
        "max_new_tokens": info.max_new_tokens,
        "verdict": info.verdict,
        "improved": info.improved,
        "scorecard": info.scorecard,
        "error": info.error,
        "seconds": round(info.ended_at - info.created_at, 1) if info.ended_at else None,
    }
    return {**fields, "examples": info.examples} if examples else fields


def _scorecard_text(info: EvaluationInfo) -> str:
    if info.status != "finished":
        return f"{info.id}: {info.status}\n{info.error}".strip()
    lines = [info.verdict, f"{'':18}{info.comparator:>14}{'tuned':>10}"]
    base, tuned = info.scorecard["base"], info.scorecard["tuned"]
    for name in ("perplexity", "loss", "rouge_l", "chrf", "reply_words"):
        shown = [
            f"{v:>10.3f}" if v is not None else f"{'n/a':>10}" for v in (base[name], tuned[name])
        ]
        lines.append(f"{name:18}    {shown[0]}{shown[1]}")
    for name in ("empty_share", "cut_off_share", "repetitive_share"):
        lines.append(f"{name:18}    {base[name]:>10.0%}{tuned[name]:>10.0%}")
    judged = judge_line(info.scorecard)
    lines += [judged] if judged else []
    return "\n".join(lines + [f"{info.rows} rows; MLflow run {info.run_id}"])


def _judge(args, backend) -> Remote | None:
    key = os.environ.get("STUDIO_JUDGE_KEY") or os.environ.get("OPENAI_API_KEY", "")
    return choose_judge(
        backend,
        endpoint=args.judge or "",
        url=args.judge_url or "",
        key=key,
        model=args.judge_model,
    )


def evaluate(args) -> int:
    backend = create_backend(default_backend_name())
    if not backend.capabilities.evaluate:
        return _through_endpoints(args, backend)
    info = evaluations.start_evaluation(
        args.job_id,
        rows=args.rows,
        seed=args.seed,
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_p=args.top_p,
        batch_size=args.batch_size,
        checkpoint=args.checkpoint,
        against=args.against,
        judge=_judge(args, backend),
        backend=backend,
    )
    shown = ""
    try:
        while not info.is_terminal:
            time.sleep(FOLLOW_INTERVAL_S)
            info = evaluations.get_evaluation(info.job_id, info.id)
            line = f"{info.stage} {info.done}/{info.total}" if info.total else info.status
            if line != shown:
                print(line, file=sys.stderr, flush=True)
                shown = line
    except KeyboardInterrupt:
        info = evaluations.cancel_evaluation(info.job_id, info.id)
    emit(summary(info), as_json=args.json, text=_scorecard_text(info))
    return 0 if info.status == "finished" else 1


def _through_endpoints(args, backend) -> int:
    """Azure: the tuned deployment against an endpoint or the base model deployed for it."""
    from services.evaluation import through_endpoints

    if not args.tuned_endpoint or not args.data:
        raise ValidationError(
            f"The {backend.name} backend evaluates through endpoints.",
            reasons=[
                "give --tuned-endpoint ENDPOINT (the job's deployment: `endpoints list`)",
                "give --data TEST_FILE (the test split the job trained with)",
            ],
        )
    against = "" if args.against == "base" else args.against
    offer = None
    if not against:
        offer = through_endpoints.base_offer(backend, args.job_id, args.instance_type)
        if not args.deploy_base:
            raise ValidationError(
                "Comparing against the base model deploys it first.",
                reasons=[offer.describe(), "add --deploy-base to accept, or --against ENDPOINT"],
            )

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    # azure-ai-ml prints progress dots on stdout while it waits for a deployment: keep stdout
    # for the result (--json).
    with contextlib.redirect_stdout(sys.stderr):
        result = through_endpoints.evaluate(
            backend,
            args.job_id,
            args.tuned_endpoint,
            args.data,
            against=against,
            base_offer=offer,
            rows=args.rows,
            seed=args.seed,
            max_new_tokens=args.max_new_tokens,
            temperature=args.temperature,
            top_p=args.top_p,
            judge=_judge(args, backend),
            on_progress=progress,
        )
    held_out = result["scorecard"]["held_out"]
    loss = held_out["tuned_eval_loss"]
    lines = [
        result["scorecard"]["verdict"],
        f"held-out: tuned eval_loss {loss:.3f} (logged by the job)" if loss is not None else "",
        held_out["note"],
        judge_line(result["scorecard"]),
    ]
    emit(result, as_json=args.json, text="\n".join(line for line in lines if line))
    return 0


def list_evaluations(args) -> int:
    backend = create_backend(default_backend_name())
    if backend.capabilities.evaluate:
        found = evaluations.list_evaluations(args.job_id)
    else:  # evaluated through endpoints: the runs in the backend's evaluation store
        from services.evaluation import azure_runs

        found = azure_runs.list_evaluations(backend, args.job_id)
    lines = [f"{e.id}  {e.status}  {e.rows} rows  {e.verdict or e.error}" for e in found]
    emit(
        [summary(e, examples=False) for e in found],
        as_json=args.json,
        text="\n".join(lines) or "no evaluations yet",
    )
    return 0
