"""`python -m services models`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("models", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'models' is not available yet.")
    return 2
