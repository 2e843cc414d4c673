"""`python -m services register`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("register", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'register' is not available yet.")
    return 2
