"""Measure a local endpoint: start time, reply latency, time to first streamed token.

    python -m services.serving.measure [--model SmolLM2-135M-Instruct] [--requests 20]

Deploys the model (bare base model by default, or a registered MODEL:VERSION with
--registered), sends the same long-answer prompt N times without and N times with streaming,
prints JSON, and deletes the endpoint.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from services.chat.client import ChatCall
from services.serving import local_endpoints

PROMPT = [{"role": "user", "content": "Write a long story about a dragon who learns to bake."}]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="SmolLM2-135M-Instruct")
    parser.add_argument("--registered", action="store_true", help="MODEL[:VERSION] is registered")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args()
    parameters = {"max_new_tokens": args.tokens, "do_sample": True, "temperature": 0.6}

    started = time.perf_counter()
    if args.registered:
        name, _, version = args.model.partition(":")
        endpoint = local_endpoints.deploy(name, version or None)
    else:
        endpoint = local_endpoints.deploy(args.model, base_model=True)
    start_s = time.perf_counter() - started
    try:
        target = local_endpoints.scoring_target(endpoint.name)
        ChatCall(target, PROMPT, parameters, stream=False).run()  # warm-up
        whole = [
            ChatCall(target, PROMPT, parameters, stream=False).run() for _ in range(args.requests)
        ]
        streamed = [ChatCall(target, PROMPT, parameters).run() for _ in range(args.requests)]
    finally:
        local_endpoints.delete_endpoint(endpoint.name)
    latencies = [reply.latency_s for reply in whole]
    first_tokens = [reply.first_token_s for reply in streamed if reply.first_token_s]
    report = {
        "model": args.model,
        "endpoint_start_s": round(start_s, 2),
        "max_new_tokens": args.tokens,
        "requests": args.requests,
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "first_token_p50_s": round(statistics.median(first_tokens), 3),
        "first_token_p95_s": round(percentile(first_tokens, 0.95), 3),
        "reply_chars_mean": round(statistics.mean(len(r.text) for r in whole)),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
