"""Fine-tune parameters: defaults, layering, validation and the run's display name.

Layers, later wins: the guide's defaults → the backend's defaults → the model's
model_specific_defaults tag → the user's overrides. Names are the Hugging Face Trainer /
Azure chat_completion_pipeline names, so one set of parameters serves both backends (the Azure
backend passes only the names its pipeline component accepts).

Values are typed inside the program (bool, int, float, str). Wire formats live at the edges:
wire_value() writes a value the way the Azure component and MLflow params read it ("true").
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

from services.errors import ValidationError

# The Phi-3 guide's training and optimization parameters.
GUIDE_DEFAULTS: dict[str, Any] = {
    "num_train_epochs": 3,
    "per_device_train_batch_size": 1,
    "per_device_eval_batch_size": 1,
    "learning_rate": 5e-6,
    "lr_scheduler_type": "cosine",
    "apply_lora": True,
    "apply_deepspeed": True,
    "deepspeed_stage": 2,
}

# The local backend trains a LoRA adapter on one machine without DeepSpeed. The guide's 5e-6
# suits multi-GPU runs of thousands of steps; a LoRA adapter barely moves at that rate in the
# few hundred CPU steps a local run has, so the local default is the usual LoRA rate.
LOCAL_DEFAULTS: dict[str, Any] = {
    "apply_deepspeed": False,
    "learning_rate": 2e-4,
    "max_steps": -1,
    "gradient_accumulation_steps": 1,
    "max_seq_length": 512,
    "lora_r": 8,
    "lora_alpha": 16,
    "lora_dropout": 0.05,
    "lora_target_modules": "q_proj,v_proj",
    "warmup_steps": 0,
    "logging_steps": 1,
    "eval_steps": 10,
    "save_total_limit": 1,
    "seed": 42,
}

AZURE_DEFAULTS: dict[str, Any] = {}

SCHEDULERS = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
)


@dataclass(frozen=True)
class ParamSpec:
    kind: str  # "int", "float", "bool", "choice", "text"
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


PARAM_SPECS: dict[str, ParamSpec] = {
    "num_train_epochs": ParamSpec("int", 1, 100),  # passes over the training data
    "max_steps": ParamSpec("int", -1, 1_000_000),  # -1: train for num_train_epochs
    "per_device_train_batch_size": ParamSpec("int", 1, 1024),
    "per_device_eval_batch_size": ParamSpec("int", 1, 1024),
    "gradient_accumulation_steps": ParamSpec("int", 1, 1024),
    "learning_rate": ParamSpec("float", 1e-9, 1.0),
    "lr_scheduler_type": ParamSpec("choice", choices=SCHEDULERS),
    "warmup_steps": ParamSpec("int", 0, 1_000_000),
    "apply_lora": ParamSpec("bool"),
    "lora_r": ParamSpec("int", 1, 1024),
    "lora_alpha": ParamSpec("int", 1, 4096),
    "lora_dropout": ParamSpec("float", 0.0, 0.99),
    "lora_target_modules": ParamSpec("text"),  # comma-separated module names
    "apply_deepspeed": ParamSpec("bool"),
    "deepspeed_stage": ParamSpec("choice", choices=("1", "2", "3")),
    "max_seq_length": ParamSpec("int", 16, 131_072),
    "logging_steps": ParamSpec("int", 1, 100_000),
    "eval_steps": ParamSpec("int", 1, 100_000),
    "save_total_limit": ParamSpec("int", -1, 1000),
    "seed": ParamSpec("int", 0, 2**32 - 1),
    "num_nodes_finetune": ParamSpec("int", 1, 64),
}


@dataclass(frozen=True)
class FinetuneParams:
    """Final parameters, where each value came from, and the run's display name."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    display_name: str = ""


def coerce(name: str, value: Any) -> Any:
    """Convert a user value (often a string from a form or `--set k=v`) to the param's type.

    Raises ValueError with a message naming the parameter and the accepted range.
    """
    spec = PARAM_SPECS.get(name)
    if spec is None:
        return value  # unknown names pass through; the Azure backend filters them
    text = str(value).strip()
    if spec.kind == "bool":
        try:
            return to_bool(value)
        except ValueError:
            raise ValueError(f"{name} must be true or false, not {text!r}") from None
    if spec.kind == "choice":
        if text not in spec.choices:
            raise ValueError(f"{name} must be one of {', '.join(spec.choices)}, not {text!r}")
        return int(text) if name == "deepspeed_stage" else text
    if spec.kind == "text":
        return text
    # NaN compares false with every bound, so non-finite numbers are refused before the range.
    if _is_non_finite(text):
        raise ValueError(f"{name} must be a finite number, not {text!r}")
    try:
        number = int(text) if spec.kind == "int" else float(text)
    except ValueError:
        raise ValueError(
            f"{name} must be {'an integer' if spec.kind == 'int' else 'a number'}, not {text!r}"
        ) from None
    if spec.kind == "int" and isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{name} must be an integer, not {value!r}")
    if (spec.minimum is not None and number < spec.minimum) or (
        spec.maximum is not None and number > spec.maximum
    ):
        raise ValueError(
            f"{name} must be between {spec.minimum:g} and {spec.maximum:g}, not {number:g}"
        )
    return number


def to_bool(value: Any) -> bool:
    """True/False from a bool or the words a form, `--set` or a model tag uses ("true", "0").

    Raises ValueError for anything else.
    """
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE_WORDS:
        return True
    if lowered in _FALSE_WORDS:
        return False
    raise ValueError(f"not true or false: {value!r}")


_TRUE_WORDS = ("true", "1", "yes", "on")
_FALSE_WORDS = ("false", "0", "no", "off")


def wire_value(value: Any) -> str:
    """A typed value as the Azure component's string inputs and MLflow params write it.

    Booleans are lower-case words ("true", "false"), as the component's enum declares them;
    everything else is str(value).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_non_finite(text: str) -> bool:
    """nan, inf, -infinity, 1e999 (float() reads them all; int() refuses them less clearly)."""
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


def unknown_name_reason(name: str) -> str:
    """Why `name` is refused, with the closest known parameter name (a typo, most often)."""
    close = difflib.get_close_matches(name, PARAM_SPECS, n=1)
    if close:
        return f"unknown parameter {name!r}: did you mean {close[0]}?"
    return f"unknown parameter {name!r}; known parameters: {', '.join(sorted(PARAM_SPECS))}"


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """`["lr=1e-4", "seed=1"]` → {"lr": "1e-4", "seed": "1"} (the CLI's --set).

    Raises ValidationError listing every item that is not key=value.
    """
    overrides: dict[str, str] = {}
    reasons: list[str] = []
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            reasons.append(f"--set expects key=value, got {item!r}")
            continue
        overrides[name.strip()] = value.strip()
    if reasons:
        raise ValidationError(
            "Some --set values are not key=value.", "Example: --set learning_rate=1e-4", reasons
        )
    return overrides


def resolve_params(
    *,
    backend: str,
    model_name: str,
    gpus: int = 0,
    model_defaults: dict | None = None,
    overrides: dict | None = None,
) -> FinetuneParams:
    """Layer the defaults, validate every value, and name the run.

    Raises ValidationError listing every invalid parameter, and every name in `overrides` (the
    user's) that is not a known parameter. Names the model's defaults bring are kept as they
    are: the Azure backend passes on only those its pipeline takes.
    """
    layers = [
        ("guide", GUIDE_DEFAULTS),
        (backend, LOCAL_DEFAULTS if backend == "local" else AZURE_DEFAULTS),
        ("model", model_defaults or {}),
        ("you", overrides or {}),
    ]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    reasons: list[str] = []
    for source, layer in layers:
        for name, raw in layer.items():
            if source == "you" and name not in PARAM_SPECS:
                reasons.append(unknown_name_reason(name))
                continue
            try:
                values[name] = coerce(name, raw)
                sources[name] = source
            except ValueError as error:
                reasons.append(f"{error} (from {source})")
    if reasons:
        raise ValidationError(
            "Some parameters are invalid.", "Fix the values listed and try again.", reasons
        )
    return FinetuneParams(values, sources, display_name(model_name, values, gpus))


def effective_batch_size(values: dict, gpus: int) -> int:
    """Examples per optimizer step across all devices and nodes."""
    return (
        int(values.get("per_device_train_batch_size", 1))
        * int(values.get("gradient_accumulation_steps", 1))
        * max(int(gpus), 1)  # a CPU run counts as one device
        * int(values.get("num_nodes_finetune", 1))
    )


def display_name(model_name: str, values: dict, gpus: int) -> str:
    """The guide's get_pipeline_display_name."""
    scheduler = values.get("lr_scheduler_type", "linear")
    deepspeed = (
        f"ds{values.get('deepspeed_stage', 2)}"
        if to_bool(values.get("apply_deepspeed", False))
        else "nods"
    )
    lora = "lora" if to_bool(values.get("apply_lora", False)) else "nolora"
    return (
        f"{model_name}-ultrachat-bs{effective_batch_size(values, gpus)}-{scheduler}-{deepspeed}"
        f"-{lora}-save_limit{values.get('save_total_limit', -1)}"
        f"-seqlen{values.get('max_seq_length', -1)}"
    )
