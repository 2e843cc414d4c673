"""Foundation models of the `azureml` registry that can be fine-tuned for chat completion.

The guide reads three tags with ast.literal_eval; newer registry models carry them in system
metadata instead, or not at all, so every one of them is optional here.
"""

from __future__ import annotations

import ast
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from services.backends.azure.connection import REGISTRY_NAME, AzureClients, service_error, short
from services.backends.base import ModelInfo
from services.errors import AzureError, ModelError

log = logging.getLogger(__name__)

CHAT_TASK = "chat-completion"
# Registry containers carry no tags in the SDK, so the listing picks candidates by name and
# then reads each candidate's latest version; keep the fan-out bounded.
CANDIDATE_NAME = re.compile(r"instruct|chat", re.IGNORECASE)
MAX_CANDIDATES = 40
PREFERRED = ("phi-", "meta-llama", "llama", "mistral")


def model_asset_id(name: str, version: str) -> str:
    return f"azureml://registries/{REGISTRY_NAME}/models/{name}/versions/{version}"


def model_name_from_id(model_id: str) -> str:
    """'azureml://registries/azureml/models/NAME/versions/V' -> NAME; a bare name stays."""
    match = re.search(r"/models/([^/]+)(?:/versions/|/labels/|$)", model_id)
    return match.group(1) if match else model_id


def _metadata(model: Any, key: str) -> Any:
    """A tag, else the same key in system metadata or properties (newer registry models)."""
    system_metadata = getattr(model, "system_metadata", None) or getattr(
        model, "_system_metadata", None
    )
    for source in (model.tags, system_metadata, model.properties):
        if isinstance(source, dict) and source.get(key) not in (None, ""):
            return source[key]
    return None


def _literal(value: Any, expected: type, key: str, model_name: str) -> Any:
    if value is None or isinstance(value, expected):
        return value
    try:
        parsed = ast.literal_eval(str(value))
    except (ValueError, SyntaxError):
        log.warning("model %s: tag %s is not a Python literal: %r", model_name, key, value)
        return None
    return parsed if isinstance(parsed, expected) else None


def _is_archived(rest_version: Any) -> bool:
    """The REST version's isArchived flag (msrest attribute or hybrid-model mapping key)."""
    properties: Any = getattr(rest_version, "properties", None)
    flag = getattr(properties, "is_archived", None)
    if flag is None and hasattr(properties, "get"):
        flag = properties.get("isArchived")
    return bool(flag)


def read_version(registry: Any, name: str, version: str | None = None) -> tuple[Any, bool]:
    """(Model entity, is archived) of one registry model version; latest when no version.

    An archived version comes back with isArchived true and, from the registry, often no
    stage, while azure-ai-ml's Model entity drops isArchived. So this reads the REST version
    with the SDK's own `_get` (the call `models.get` makes) and builds the entity from it.
    The latest version is resolved the way `models.get(label="latest")` resolves it.
    """
    from azure.ai.ml.entities import Model

    operations = registry.models
    if version is None:
        version = str(operations._get_latest_version(name).version)
    rest_version = operations._get(name, version)
    return Model._from_rest_object(rest_version), _is_archived(rest_version)


def to_model_info(model: Any, *, archived: bool = False) -> ModelInfo:
    """An azure.ai.ml Model entity -> ModelInfo, parsing the optional tags."""
    finetune = _literal(
        _metadata(model, "finetune_compute_allow_list"), list, "finetune", model.name
    )
    inference = _literal(
        _metadata(model, "inference_compute_allow_list"), list, "inference", model.name
    )
    defaults = _literal(_metadata(model, "model_specific_defaults"), dict, "defaults", model.name)
    stage = str(getattr(model, "stage", "") or "").lower()
    deprecated = str(_metadata(model, "deprecated") or "").lower() in ("true", "1", "yes")
    return ModelInfo(
        id=model.id or model_asset_id(model.name, str(model.version)),
        name=model.name,
        source="azureml-registry",
        version=str(model.version or ""),
        archived=archived or stage in ("archived", "deprecated") or deprecated,
        finetune_compute_allow_list=tuple(str(x) for x in finetune or ()),
        inference_compute_allow_list=tuple(str(x) for x in inference or ()),
        model_specific_defaults=dict(defaults or {}),
    )


def is_chat_finetunable(model: Any) -> bool:
    """Keep a model unless its metadata says it is not a fine-tunable chat model.

    task (tag) must be chat-completion when present; finetuning-tasks (property) must list
    chat-completion when present. A model with neither is kept: tags are optional.
    """
    task = _metadata(model, "task")
    if task and str(task).lower() != CHAT_TASK:
        return False
    tasks = _metadata(model, "finetuning-tasks") or _metadata(model, "finetuning_tasks")
    return not tasks or CHAT_TASK in [t.strip().lower() for t in str(tasks).split(",")]


def get_model(clients: AzureClients, model_id: str) -> ModelInfo:
    """The latest version by name (the guide's models.get(name, label="latest")).

    An id with a version reads that version. A version is archived when the registry says
    isArchived (or its stage says Archived/Deprecated). An archived model has no active latest
    version: it is then looked up among archived versions and marked archived.
    """
    from azure.ai.ml.constants import ListViewType
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    name = model_name_from_id(model_id)
    version = re.search(r"/versions/([^/]+)$", model_id)
    registry = clients.registry
    try:
        model, archived = read_version(registry, name, version.group(1) if version else None)
        return to_model_info(model, archived=archived)
    except (ResourceNotFoundError, HttpResponseError, _validation_error()) as error:
        if getattr(error, "status_code", 404) not in (404, None):
            raise service_error(error, f"model '{name}'") or AzureError(
                f"Cannot read model '{name}' from registry '{REGISTRY_NAME}': {short(error)}",
                "Check the network and your sign-in, then retry.",
            ) from error
    # No active version: an archived model still lists among archived containers, and its
    # last version can be read by number.
    try:
        containers = [
            c
            for c in registry.models.list(list_view_type=ListViewType.ARCHIVED_ONLY)
            if c.name == name
        ]
        if containers:
            model, _ = read_version(registry, name, str(containers[0].latest_version))
            return to_model_info(model, archived=True)
    except Exception as error:  # noqa: BLE001 - report the model as not found below
        log.info("archived lookup of %s failed: %s", name, short(error))
    raise ModelError(
        f"Model '{name}' is not in the Azure ML registry '{REGISTRY_NAME}'.",
        "Check the spelling (names are case-sensitive) or pick one from the model list.",
    )


def list_models(clients: AzureClients) -> list[ModelInfo]:
    """Chat-completion models of the registry that can be fine-tuned, newest version each."""
    try:
        containers = list(clients.registry.models.list())
    except Exception as error:  # noqa: BLE001
        raise service_error(error, f"the models of registry '{REGISTRY_NAME}'") or AzureError(
            f"Cannot list models of registry '{REGISTRY_NAME}': {short(error)}",
            "Check the network and your sign-in, then retry.",
        ) from error
    candidates = {c.name for c in containers if CANDIDATE_NAME.search(c.name or "")}
    # The families the guide and its successors fine-tune come first when the list is cut.
    names = sorted(candidates, key=lambda n: (not n.lower().startswith(PREFERRED), n))
    names = names[:MAX_CANDIDATES]

    def read(name: str) -> tuple[Any, bool] | None:
        try:
            return read_version(clients.registry, name)
        except Exception as error:  # noqa: BLE001 - one unreadable model must not hide the rest
            log.info("skipping registry model %s: %s", name, short(error))
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        read_models = [m for m in pool.map(read, names) if m is not None]
    return [
        to_model_info(model, archived=archived)
        for model, archived in read_models
        if is_chat_finetunable(model)
    ]


def _validation_error() -> type[Exception]:
    # label="latest" of a model with no active version surfaces as a ValidationException.
    from azure.ai.ml.exceptions import ValidationException

    return ValidationException
