"""`python -m services params show`: the final fine-tune parameters and the run's display name."""

from __future__ import annotations

from services.backends import default_backend_name
from services.cli.backend_option import add_backend_flag, backend_from_args
from services.cli.output import add_json_flag, emit
from services.params import parse_assignments, resolve_params, wire_value


def register(subparsers) -> None:
    parser = subparsers.add_parser("params", help="show the final fine-tune parameters")
    verbs = parser.add_subparsers(dest="params_verb", required=True)
    show = verbs.add_parser("show", help="layered defaults + your overrides, validated")
    add_backend_flag(show)
    show.add_argument("--model", required=True, help="model id (see `models list`)")
    show.add_argument("--gpus", type=int, default=0, help="GPUs per node (0 = CPU)")
    add_set_option(show)
    add_json_flag(show)
    show.set_defaults(handler=show_params)


def add_set_option(parser) -> None:
    """`--set KEY=VALUE` (repeatable): the user's parameter overrides, read by parse_assignments."""
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a fine-tune parameter (repeatable), e.g. --set learning_rate=1e-4",
    )


def show_params(args) -> int:
    """Exit 0 with the parameters, or 1 (refused) listing every invalid or unknown one."""
    model = backend_from_args(args).get_model(args.model)
    params = resolve_params(
        backend=args.backend or default_backend_name(),
        model_name=model.name,
        gpus=args.gpus,
        model_defaults=model.model_specific_defaults,
        overrides=parse_assignments(args.assignments),
    )
    lines = [f"display name: {params.display_name}"]
    lines += [
        f"{k} = {wire_value(v)}  ({params.sources[k]})" for k, v in sorted(params.values.items())
    ]
    emit(
        {"display_name": params.display_name, "params": params.values, "sources": params.sources},
        as_json=args.json,
        text="\n".join(lines),
    )
    return 0
