"""`python -m services params`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("params", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'params' is not available yet.")
    return 2
