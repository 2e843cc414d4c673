"""`python -m services metrics ID`: each metric's [step, value] history from MLflow."""

from __future__ import annotations

from services.backends import BACKEND_NAMES, create_backend, default_backend_name
from services.cli.output import add_json_flag, emit


def register(subparsers) -> None:
    parser = subparsers.add_parser("metrics", help="a job's metrics (loss, eval_loss, ...)")
    parser.add_argument("--backend", choices=BACKEND_NAMES, default=default_backend_name())
    parser.add_argument("job_id", metavar="ID")
    add_json_flag(parser)
    parser.set_defaults(handler=show_metrics)


def show_metrics(args) -> int:
    metrics = create_backend(args.backend).get_metrics(args.job_id)
    lines = [
        f"{name}: {len(points)} values, last {points[-1][1]:.4g} at step {points[-1][0]}"
        for name, points in sorted(metrics.items())
    ]
    emit(metrics, as_json=args.json, text="\n".join(lines) or "no metrics yet")
    return 0
