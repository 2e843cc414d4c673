"""`python -m services chat ENDPOINT "message"`: one turn through the scoring contract."""

from __future__ import annotations

import math
import sys
from typing import Any

from services.backends import create_backend, default_backend_name
from services.chat.client import ChatCall
from services.cli.output import add_json_flag, emit
from services.errors import ValidationError
from services.serving.contract import DEFAULT_PARAMETERS, ContractError, parse_request


def register(subparsers) -> None:
    parser = subparsers.add_parser("chat", help="send one message to an endpoint")
    parser.add_argument("endpoint", help="endpoint name (see `endpoints list`)")
    parser.add_argument("message")
    parser.add_argument("--system", default="", help="a system prompt")
    parser.add_argument("--temperature", type=float, default=DEFAULT_PARAMETERS["temperature"])
    parser.add_argument("--top-p", type=float, default=DEFAULT_PARAMETERS["top_p"])
    parser.add_argument("--max-new-tokens", type=int, default=DEFAULT_PARAMETERS["max_new_tokens"])
    parser.add_argument("--greedy", action="store_true", help="do_sample false")
    add_json_flag(parser)
    parser.set_defaults(handler=_chat)


def _chat(args) -> int:
    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": args.message})
    parameters = {
        "temperature": args.temperature,
        "top_p": args.top_p,
        "do_sample": not args.greedy,
        "max_new_tokens": args.max_new_tokens,
    }
    refuse_bad_parameters(parameters)
    target = create_backend(default_backend_name()).scoring_target(args.endpoint)
    call = ChatCall(target, messages, parameters)
    if args.json:
        reply = call.run()
        emit(
            {
                "endpoint": args.endpoint,
                "output": reply.text,
                "latency_s": round(reply.latency_s, 3),
                "first_token_s": reply.first_token_s,
                "request": reply.request,
            },
            as_json=True,
        )
        return 0
    for piece in call:  # print as it streams
        sys.stdout.write(piece)
        sys.stdout.flush()
    assert call.reply is not None  # the loop read the whole reply
    print(f"\n({call.reply.latency_s:.2f} s)", file=sys.stderr)
    return 0


def refuse_bad_parameters(parameters: dict) -> None:
    """Refuse, before any request, every generation parameter the endpoint would refuse.

    Each one is checked alone against the scoring contract (its ranges), so all are listed;
    non-finite numbers first, since NaN slips through any range comparison.
    """
    reasons = []
    for name, value in parameters.items():
        if isinstance(value, float) and not math.isfinite(value):
            reasons.append(f"--{name.replace('_', '-')} must be a finite number, not {value}")
            continue
        body: dict[str, Any] = {"input_data": {"input_string": [{"role": "user", "content": "."}]}}
        body["input_data"]["parameters"] = {name: value}
        try:
            parse_request(body)
        except ContractError as error:
            reasons.append(str(error))
    if reasons:
        raise ValidationError(
            "Some generation parameters are invalid.", "Fix the values listed.", reasons
        )
