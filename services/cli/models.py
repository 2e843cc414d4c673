"""`python -m services models list|show|add|remove`: the model catalog of a backend."""

from __future__ import annotations

from services.backends.base import ModelInfo
from services.cli.backend_option import add_backend_flag, backend_from_args
from services.cli.output import add_json_flag, emit


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="list, show and add chat models")
    verbs = parser.add_subparsers(dest="models_verb", required=True)

    listing = verbs.add_parser("list", help="models that can be fine-tuned")
    add_backend_flag(listing)
    add_json_flag(listing)
    listing.set_defaults(handler=_list)

    show = verbs.add_parser("show", help="one model: parameters, context length, chat template")
    show.add_argument("model", help="model id (local: bundled id, folder path or hub id)")
    add_backend_flag(show)
    add_json_flag(show)
    show.set_defaults(handler=_show)

    add = verbs.add_parser("add", help="add a Hugging Face model folder (local backend)")
    add.add_argument("path")
    add_json_flag(add)
    add.set_defaults(handler=_add)

    remove = verbs.add_parser("remove", help="take a model folder off the list (local backend)")
    remove.add_argument("path")
    add_json_flag(remove)
    remove.set_defaults(handler=_remove)


def _list(args) -> int:
    models = backend_from_args(args).list_models()
    emit(models, as_json=args.json, text="\n".join(_line(model) for model in models))
    return 0


def _show(args) -> int:
    model = backend_from_args(args).get_model(args.model)
    emit(model, as_json=args.json, text=_line(model))
    return 0


def _add(args) -> int:
    from services.local import catalog

    model = catalog.add_model_folder(args.path)
    emit(model, as_json=args.json, text=f"added {_line(model)}")
    return 0


def _remove(args) -> int:
    from services.local import catalog

    catalog.remove_model_folder(args.path)
    emit({"removed": args.path}, as_json=args.json, text=f"removed {args.path}")
    return 0


def _line(model: ModelInfo) -> str:
    facts = [model.source]
    if model.version:
        facts.append(f"version {model.version}")
    if model.parameters:
        facts.append(f"{model.parameters / 1e6:,.0f}M parameters")
    if model.context_length:
        facts.append(f"context {model.context_length:,}")
    if model.has_chat_template is not None:
        facts.append("chat template" if model.has_chat_template else "no chat template")
    if model.archived:
        facts.append("ARCHIVED")
    return f"{model.id}  ({', '.join(facts)})"
