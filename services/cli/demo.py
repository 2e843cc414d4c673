"""`python -m services demo`: demo data → short fine-tune → register → deploy → evaluate.

Text mode prints one line per progress event, then the verdict and the endpoint to chat with;
with --json each event is one JSON line (the last one carries "endpoint" and "verdict").
"""

from __future__ import annotations

import json

from services.cli.output import add_json_flag, to_jsonable
from services.demo import DEMO_MAX_STEPS, MODEL_ENV, STAGE_TITLES, demo_model_id, run_demo


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="prepare the demo data, fine-tune the bundled model briefly, deploy and evaluate it "
        "(local)",
    )
    parser.add_argument(
        "--model",
        default=demo_model_id(),
        help=f"model to fine-tune (default: the bundled SmolLM2, or ${MODEL_ENV})",
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=DEMO_MAX_STEPS,
        help=f"training steps of the short fine-tune (default {DEMO_MAX_STEPS})",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_demo)


def _demo(args) -> int:
    stage = None
    endpoint = verdict = ""
    for event in run_demo(model_id=args.model, max_steps=args.max_steps):
        endpoint = event.endpoint or endpoint
        verdict = event.verdict or verdict
        if args.json:
            print(json.dumps(to_jsonable(event)), flush=True)
            continue
        if event.stage != stage:
            stage = event.stage
            print(f"== {STAGE_TITLES[stage]}", flush=True)
        print(f"   {'✓' if event.stage_done else '·'} {event.message}", flush=True)
    if not args.json:
        if verdict:
            print(f"\n{verdict}")
        print(f"\nReady. Chat with it: python -m services chat {endpoint}")
        print("Or open the Chat page in the app (`make run`). Delete the endpoint when done:")
        print(f"python -m services endpoints delete {endpoint}")
    return 0
