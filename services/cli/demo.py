"""`python -m services demo`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("demo", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'demo' is not available yet.")
    return 2
