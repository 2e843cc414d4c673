"""`python -m services VERB ...`: the command line over the same services the pages use.

Each verb group lives in its own module with a `register(subparsers)` function that adds its
parsers and sets `handler=` to a function taking the parsed args and returning an exit code
(services/cli/exit_codes.py). A handler refuses input by raising ValidationError with every
reason, and fails by raising another StudioError; main() prints either and picks the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from services.cli import exit_codes
from services.cli.output import emit_error
from services.errors import StudioError

# Verb modules, in the order `--help` lists them.
VERB_MODULES = (
    "dataset",
    "models",
    "compute",
    "params",
    "train",
    "jobs",
    "metrics",
    "evaluate",
    "register",
    "deploy",
    "endpoints",
    "chat",
    "demo",
    "report",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services", description="Fine-Tune Studio from the command line."
    )
    subparsers = parser.add_subparsers(dest="verb", required=True)
    for name in VERB_MODULES:
        module = importlib.import_module(f"services.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or exit_codes.OK)
    except StudioError as error:
        emit_error(error, as_json=getattr(args, "json", False))
        return getattr(error, "exit_code", exit_codes.ERROR)
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
