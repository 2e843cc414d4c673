"""`python -m services register JOB [--name NAME] [--checkpoint STEP]`: a finished job (or a
checkpoint any job kept) → a registered model version."""

from __future__ import annotations

from services.backends import create_backend, default_backend_name
from services.cli.output import add_json_flag, emit


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "register", help="register a finished job's model (a new version each time)"
    )
    parser.add_argument("job", help="job id (see `jobs list`)")
    parser.add_argument("--name", help="registered model name (default <model>-ultrachat-200k)")
    parser.add_argument(
        "--checkpoint",
        type=int,
        metavar="STEP",
        help="register the checkpoint kept at this step (see `jobs checkpoints JOB`)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_register)


def _register(args) -> int:
    backend = create_backend(default_backend_name())
    model = backend.register_model(args.job, args.name, checkpoint=args.checkpoint)
    step = f" (checkpoint at step {model.checkpoint_step})" if model.checkpoint_step else ""
    emit(model, as_json=args.json, text=f"Registered {model.name} version {model.version}{step}")
    return 0
