"""`python -m services chat ENDPOINT "message"`: one turn through the scoring contract."""

from __future__ import annotations

import sys

from services.backends import create_backend, default_backend_name
from services.chat.client import ChatCall
from services.cli.output import add_json_flag, emit
from services.serving.contract import DEFAULT_PARAMETERS


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
    target = create_backend(default_backend_name()).scoring_target(args.endpoint)
    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": args.message})
    parameters = {
        "temperature": args.temperature,
        "top_p": args.top_p,
        "do_sample": not args.greedy,
        "max_new_tokens": args.max_new_tokens,
    }
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
    print(f"\n({call.reply.latency_s:.2f} s)", file=sys.stderr)
    return 0
