"""`python -m services endpoints list|delete|key|regenerate-key NAME`: endpoints and their keys.

Keys print masked unless `--show-key`: a terminal is often shared on a screen or in a log. Each
`--show-key` and each regeneration goes in the audit log (STUDIO_HOME/audit.log).
"""

from __future__ import annotations

from services.backends import create_backend, default_backend_name
from services.chat.client import mask_key
from services.cli.output import add_json_flag, emit
from services.security.endpoint_keys import reveal_key
from services.serving.display import uptime_text


def register(subparsers) -> None:
    parser = subparsers.add_parser("endpoints", help="list or delete endpoints, show their keys")
    verbs = parser.add_subparsers(dest="endpoints_verb", required=True)
    listing = verbs.add_parser("list", help="endpoints with model, version, port, status, uptime")
    add_json_flag(listing)
    listing.set_defaults(handler=_list)
    delete = verbs.add_parser("delete", help="stop an endpoint and free what it holds")
    delete.add_argument("name")
    add_json_flag(delete)
    delete.set_defaults(handler=_delete)
    key = verbs.add_parser("key", help="an endpoint's key (masked unless --show-key)")
    key.add_argument("name")
    add_key_flag(key)
    add_json_flag(key)
    key.set_defaults(handler=_key)
    regenerate = verbs.add_parser(
        "regenerate-key", help="give an endpoint a new key; the old one is refused at once"
    )
    regenerate.add_argument("name")
    add_key_flag(regenerate)
    add_json_flag(regenerate)
    regenerate.set_defaults(handler=_regenerate)


def add_key_flag(parser) -> None:
    parser.add_argument(
        "--show-key", action="store_true", help="print the key itself (recorded in the audit log)"
    )


def shown_key(backend, name: str, show: bool) -> str:
    """The key as the user asked for it: in clear (audited) or masked."""
    return reveal_key(backend, name) if show else mask_key(backend.scoring_target(name).key)


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


def _key(args) -> int:
    key = shown_key(create_backend(default_backend_name()), args.name, args.show_key)
    emit({"name": args.name, "key": key}, as_json=args.json, text=key)
    return 0


def _regenerate(args) -> int:
    backend = create_backend(default_backend_name())
    backend.regenerate_key(args.name)
    key = shown_key(backend, args.name, args.show_key)
    text = f"{args.name} has a new key: {key}" + ("" if args.show_key else " (--show-key)")
    emit({"name": args.name, "key": key}, as_json=args.json, text=text)
    return 0
