"""`python -m services metrics`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("metrics", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'metrics' is not available yet.")
    return 2
