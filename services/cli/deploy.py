"""`python -m services deploy`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("deploy", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'deploy' is not available yet.")
    return 2
