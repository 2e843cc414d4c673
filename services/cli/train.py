"""`python -m services train`: start a fine-tuning job and return its id at once.

Before submitting it runs the wizard's compute check (GPUs, sequence length, memory fit) on
the final parameters and refuses what the check refuses, each reason listed; `--force` submits
anyway, with a WARNING line (text) or `"forced": true` and `"warnings"` (JSON).
`--dry-run` submits nothing and prints the job with its pre-flight estimate (tokens,
duration, cost on Azure: services.training.estimate), `"estimate"` in JSON.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from services.backends import BACKEND_NAMES, create_backend, default_backend_name
from services.backends.base import Backend, ComputeCheck, JobSpec, ModelInfo
from services.cli.output import add_json_flag, emit, to_jsonable, warn
from services.cli.params import add_set_option
from services.errors import DatasetError, StudioError, ValidationError
from services.params import parse_assignments, resolve_params
from services.wizard import build_job_spec, check_compute

if TYPE_CHECKING:
    from services.training.estimate import Estimate


def register(subparsers) -> None:
    parser = subparsers.add_parser("train", help="start a fine-tuning job (returns its id)")
    parser.add_argument("--backend", choices=BACKEND_NAMES, default=default_backend_name())
    parser.add_argument("--model", required=True, help="model id (see `models list`)")
    parser.add_argument(
        "--data",
        required=True,
        help="a prepared dataset folder (train/test .jsonl) or one .jsonl file "
        "(a small share of it is held out for evaluation)",
    )
    parser.add_argument("--compute", default="cpu", help="cpu, cuda:N or an Azure cluster")
    parser.add_argument("--gpus", type=int, default=0, help="GPUs to use (0 = CPU)")
    parser.add_argument("--max-steps", type=int, help="stop after N optimizer steps")
    parser.add_argument("--display-name", help="default: the guide's display name")
    add_set_option(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="submit even when the compute check refuses the run (it will likely fail)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the parameters, data and compute, print the job, submit nothing",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=train)


def data_files(data: str) -> tuple[str, str]:
    """(train file, test file) of a prepared dataset folder, or (file, "") for one .jsonl."""
    path = Path(data).expanduser().resolve()
    if path.is_dir():
        from services.data.prepared import read_prepared

        prepared = read_prepared(path)
        return prepared.train_file, prepared.test_file
    if path.is_file() and path.suffix == ".jsonl":
        return str(path), ""
    raise DatasetError(
        f"{data} is neither a prepared dataset folder nor a .jsonl file.",
        "Prepare one with `python -m services dataset prepare` or pass a .jsonl file.",
    )


def train(args) -> int:
    backend = create_backend(args.backend)
    model = backend.get_model(args.model)
    train_file, test_file = data_files(args.data)
    overrides = parse_assignments(args.assignments)
    if args.max_steps is not None:
        overrides["max_steps"] = str(args.max_steps)
    params = resolve_params(
        backend=backend.name,
        model_name=model.name,
        gpus=args.gpus,
        model_defaults=model.model_specific_defaults,
        overrides=overrides,
    )
    check = check_compute(backend, model, compute=args.compute, gpus=args.gpus, params=params)
    warnings = forced_warnings(check, force=args.force)
    spec = build_job_spec(
        model=model,
        compute=args.compute,
        gpus=args.gpus,
        train_file=train_file,
        test_file=test_file,
        params=params,
    )
    if args.display_name:
        spec = dataclasses.replace(spec, display_name=args.display_name)
    if not args.json:
        for warning in warnings:
            warn(warning)
    outcome = {"forced": bool(warnings), "warnings": warnings, "compute_check": check.to_dict()}
    if args.dry_run:
        estimate = dry_run_estimate(backend, spec, model)
        emit(
            {"dry_run": True, "spec": spec, **outcome, "estimate": estimate},
            as_json=args.json,
            text="\n".join(
                [
                    f"dry run: would submit {spec.display_name} on {spec.compute} "
                    f"({spec.gpus or 'no'} GPUs); nothing submitted",
                    *(estimate.lines() if estimate else []),
                ]
            ),
        )
        return 0
    job = backend.submit_job(spec)
    emit(
        {**to_jsonable(job), **outcome},
        as_json=args.json,
        text=f"{job.id} {job.status}: {job.display_name}\n"
        f"follow it: python -m services jobs logs {job.id} --follow",
    )
    return 0


def dry_run_estimate(backend: Backend, spec: JobSpec, model: ModelInfo) -> Estimate | None:
    """The pre-flight estimate; None (with a warning) when it cannot be made."""
    from services.training.estimate import estimate_for  # reads data: only for a dry run

    try:
        return estimate_for(backend, spec, model)
    except StudioError as error:
        warn(f"no estimate: {error.message}")
        return None


def forced_warnings(check: ComputeCheck, *, force: bool) -> list[str]:
    """[] when the check passed; its reasons as warnings under --force; else a refusal."""
    if check.ok:
        return []
    if not force:
        raise ValidationError(
            "The compute check refused this run.",
            " ".join([*check.hints, "--force submits it anyway (it will likely fail)."]),
            list(check.reasons),
            details={"compute_check": check.to_dict()},
        )
    return [
        f"--force: submitting although the compute check refused it: {reason}"
        for reason in check.reasons
    ]
