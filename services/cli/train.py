"""`python -m services train`: start a fine-tuning job and return its id at once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from services.backends import BACKEND_NAMES, create_backend, default_backend_name
from services.cli.output import add_json_flag, emit
from services.cli.params import add_set_option
from services.errors import DatasetError
from services.params import parse_assignments, resolve_params
from services.wizard import build_job_spec


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
    job = backend.submit_job(spec)
    emit(
        job,
        as_json=args.json,
        text=f"{job.id} {job.status}: {job.display_name}\n"
        f"follow it: python -m services jobs logs {job.id} --follow",
    )
    return 0
