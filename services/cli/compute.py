"""`python -m services compute`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("compute", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'compute' is not available yet.")
    return 2
