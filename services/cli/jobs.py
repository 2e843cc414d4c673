"""`python -m services jobs`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("jobs", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'jobs' is not available yet.")
    return 2
