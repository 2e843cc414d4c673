"""`python -m services endpoints list|delete NAME`: running endpoints and the cost guard."""

from __future__ import annotations

from services.backends import create_backend, default_backend_name
from services.cli.output import add_json_flag, emit
from services.serving.display import uptime_text


def register(subparsers) -> None:
    parser = subparsers.add_parser("endpoints", help="list or delete endpoints")
    verbs = parser.add_subparsers(dest="endpoints_verb", required=True)
    listing = verbs.add_parser("list", help="endpoints with model, version, port, status, uptime")
    add_json_flag(listing)
    listing.set_defaults(handler=_list)
    delete = verbs.add_parser("delete", help="stop an endpoint and free what it holds")
    delete.add_argument("name")
    add_json_flag(delete)
    delete.set_defaults(handler=_delete)


def _list(args) -> int:
    endpoints = create_backend(default_backend_name()).list_endpoints()
    rows = [
        f"{e.name:40} {e.model_name}:{e.model_version:6} {e.status:12} "
        f"{e.port or '':>6} {uptime_text(e.started_at)}"
        for e in endpoints
    ]
    emit(endpoints, as_json=args.json, text="\n".join(rows) or "No endpoints.")
    return 0


def _delete(args) -> int:
    create_backend(default_backend_name()).delete_endpoint(args.name)
    emit({"deleted": args.name}, as_json=args.json, text=f"Deleted {args.name}")
    return 0
