"""`python -m services compute list|check`: where a job can run, and whether it fits.

`check` exits 0 when the choice is accepted and 1 when it is refused (every reason listed).
"""

from __future__ import annotations

import sys

from services.backends.base import ComputeCheck, ComputeInfo
from services.cli.backend_option import add_backend_flag, backend_from_args
from services.cli.exit_codes import OK, REFUSED
from services.cli.output import add_json_flag, emit, refusal_text


def register(subparsers) -> None:
    parser = subparsers.add_parser("compute", help="list computes, check a choice for a model")
    verbs = parser.add_subparsers(dest="compute_verb", required=True)

    listing = verbs.add_parser("list", help="cpu and GPUs (local) or clusters (azure)")
    add_backend_flag(listing)
    add_json_flag(listing)
    listing.set_defaults(handler=_list)

    check = verbs.add_parser("check", help="validate GPUs and memory for a model and batch")
    add_backend_flag(check)
    check.add_argument("--model", required=True, help="model id")
    check.add_argument("--compute", default="", help="local: cpu or cuda:N; azure: cluster name")
    check.add_argument(
        "--gpus", type=int, default=None, help="GPUs to use (0 = CPU; default 0 on cpu, else 1)"
    )
    check.add_argument("--batch-size", type=int, default=1, help="per-device batch (default 1)")
    check.add_argument(
        "--max-seq-length", type=int, default=512, help="tokens per sequence (default 512)"
    )
    check.add_argument(
        "--no-lora",
        dest="apply_lora",
        action="store_false",
        help="full fine-tuning instead of LoRA",
    )
    add_json_flag(check)
    check.set_defaults(handler=_check)


def _list(args) -> int:
    computes = backend_from_args(args).list_computes()
    emit(computes, as_json=args.json, text="\n".join(_line(c) for c in computes))
    return 0


def _check(args) -> int:
    backend = backend_from_args(args)
    model = backend.get_model(args.model)
    gpus = args.gpus
    if gpus is None:
        gpus = 0 if args.compute in ("", "cpu") else 1
    result = backend.check_compute(
        model,
        args.compute,
        gpus=gpus,
        batch_size=args.batch_size,
        max_seq_length=args.max_seq_length,
        apply_lora=args.apply_lora,
    )
    verdict = {"model": model.id, "compute": args.compute, **result.to_dict()}
    if result.ok or args.json:
        emit(verdict, as_json=args.json, text=f"ok{_memory(result)}")
    else:
        headline = f"this compute cannot run it{_memory(result)}"
        print(refusal_text(headline, list(result.reasons), list(result.hints)), file=sys.stderr)
    return OK if result.ok else REFUSED


def _line(compute: ComputeInfo) -> str:
    facts = [compute.kind]
    if compute.description:
        facts.append(compute.description)
    if compute.size:
        facts.append(compute.size)
    if compute.gpus:
        facts.append(f"{compute.gpus} GPU{'s' if compute.gpus > 1 else ''}")
    if compute.memory_gb is not None:
        facts.append(f"{compute.memory_gb:g} GB")
    if compute.provisioning_state:
        facts.append(compute.provisioning_state)
    return f"{compute.name}  ({', '.join(facts)})"


def _memory(result: ComputeCheck) -> str:
    if result.required_memory_gb is None or result.available_memory_gb is None:
        return ""
    return (
        f": needs about {result.required_memory_gb:.1f} GB, "
        f"{result.available_memory_gb:.1f} GB available"
    )
