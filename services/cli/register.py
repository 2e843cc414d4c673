"""`python -m services register JOB [--name NAME]`: a finished job → a registered model version."""

from __future__ import annotations

from services.backends import create_backend, default_backend_name
from services.cli.output import add_json_flag, emit


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "register", help="register a finished job's model (a new version each time)"
    )
    parser.add_argument("job", help="job id (see `jobs list`)")
    parser.add_argument("--name", help="registered model name (default <model>-ultrachat-200k)")
    add_json_flag(parser)
    parser.set_defaults(handler=_register)


def _register(args) -> int:
    model = create_backend(default_backend_name()).register_model(args.job, args.name)
    emit(model, as_json=args.json, text=f"Registered {model.name} version {model.version}")
    return 0
