"""`python -m services chat`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("chat", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'chat' is not available yet.")
    return 2
