"""`python -m services dataset`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("dataset", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'dataset' is not available yet.")
    return 2
