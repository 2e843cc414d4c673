"""`python -m services endpoints`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("endpoints", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'endpoints' is not available yet.")
    return 2
