"""`python -m services deploy MODEL[:VERSION]`: start an endpoint; prints its URI and key
(masked unless --show-key)."""

from __future__ import annotations

import sys

from services.backends import create_backend, default_backend_name
from services.cli.endpoints import add_key_flag, shown_key
from services.cli.output import add_json_flag, emit
from services.errors import EndpointError
from services.serving import deploying


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "deploy", help="deploy a registered model version as an endpoint (waits until ready)"
    )
    parser.add_argument("model", help="MODEL[:VERSION] (latest version when none is given)")
    parser.add_argument(
        "--base",
        action="store_true",
        help="serve MODEL as the bare base model, no adapter (local: a catalog id or folder; "
        "Azure: deployed from the azureml registry)",
    )
    add_key_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=_deploy)


def _deploy(args) -> int:
    backend = create_backend(default_backend_name())
    progress = None if args.json else lambda line: print(line, file=sys.stderr)
    if args.base and not backend.capabilities.deploy_base_model:
        raise EndpointError(
            f"--base: the {backend.name} backend serves registered models only.", "Drop --base."
        )
    name, version = (args.model, None) if args.base else _name_version(args.model)
    endpoint = deploying.deploy_model(backend, name, version, base=args.base, on_progress=progress)
    key = shown_key(backend, endpoint.name, args.show_key)
    result = {
        "name": endpoint.name,
        "scoring_uri": endpoint.scoring_uri,
        "key": key,
        "model_name": endpoint.model_name,
        "model_version": endpoint.model_version,
        "status": endpoint.status,
        "streams": endpoint.streams,
    }
    bearer = key if args.show_key else "$KEY"  # `endpoints key NAME --show-key` prints it
    text = (
        f"Endpoint {endpoint.name} is {endpoint.status}\n"
        f"  scoring URI: {endpoint.scoring_uri}\n"
        f"  key:         {key}\n"
        f"Try: curl -s {endpoint.scoring_uri} -H 'Authorization: Bearer {bearer}' "
        "-H 'Content-Type: application/json' "
        """-d '{"input_data": {"input_string": [{"role": "user", "content": "Hi"}]}}'"""
    )
    emit(result, as_json=args.json, text=text)
    return 0


def _name_version(model: str) -> tuple[str, str | None]:
    """MODEL[:VERSION] as (name, version); no version means the latest."""
    name, _, version = model.partition(":")
    return name, version or None
