"""`python -m services report ID --out FILE.html`: the job's run report, one offline HTML file."""

from __future__ import annotations

from pathlib import Path

from services.backends import BACKEND_NAMES, create_backend, default_backend_name
from services.cli.output import add_json_flag, emit
from services.report import build_report, render_html


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write a job's run report: one HTML file that opens offline"
    )
    parser.add_argument("--backend", choices=BACKEND_NAMES, default=default_backend_name())
    parser.add_argument("job_id", metavar="ID")
    parser.add_argument("--out", type=Path, help="the HTML file to write (default: ID-report.html)")
    add_json_flag(parser)
    parser.set_defaults(handler=write_report)


def write_report(args) -> int:
    report = build_report(create_backend(args.backend), args.job_id)
    out = args.out or Path(f"{args.job_id}-report.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(report), encoding="utf-8")
    note = " (the job is still running: it shows what exists so far)" if report.running else ""
    emit(
        {"path": str(out), "running": report.running}, as_json=args.json, text=f"wrote {out}{note}"
    )
    return 0
