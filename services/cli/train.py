"""`python -m services train`: not built yet."""


def register(subparsers) -> None:
    subparsers.add_parser("train", help="(not built yet)").set_defaults(handler=_todo)


def _todo(args) -> int:
    print("'train' is not available yet.")
    return 2
