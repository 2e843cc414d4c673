"""A job's parameters (JobSpec.params) as the typed values the worker trains with.

Names are the Hugging Face / Azure pipeline names (services.params). Values are typed
(services.params.resolve_params); strings ("true", "5e-6") are read too, as job records written
before values were typed still hold them. Missing values take the local defaults of
services.params. No heavy imports here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.params import GUIDE_DEFAULTS, LOCAL_DEFAULTS, to_bool


def _modules(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "num_train_epochs": float,
    "max_steps": lambda v: int(float(v)),
    "per_device_train_batch_size": lambda v: int(float(v)),
    "per_device_eval_batch_size": lambda v: int(float(v)),
    "gradient_accumulation_steps": lambda v: int(float(v)),
    "learning_rate": float,
    "lr_scheduler_type": lambda v: str(v).strip(),
    "warmup_steps": lambda v: int(float(v)),
    "apply_lora": to_bool,
    "lora_r": lambda v: int(float(v)),
    "lora_alpha": lambda v: int(float(v)),
    "lora_dropout": float,
    "lora_target_modules": _modules,
    "max_seq_length": lambda v: int(float(v)),
    "eval_steps": lambda v: int(float(v)),
    "logging_steps": lambda v: int(float(v)),
    "seed": lambda v: int(float(v)),
    "save_total_limit": lambda v: int(float(v)),
    "max_eval_samples": lambda v: int(float(v)),
    "eval_fraction": float,
}


# What a local job starts from when its params lack a value: the same layers as
# services.params.resolve_params (the guide's defaults, then the local backend's).
_DEFAULTS = {**GUIDE_DEFAULTS, **LOCAL_DEFAULTS}


def _default(name: str) -> Any:
    return _CONVERTERS[name](_DEFAULTS[name])


@dataclass(frozen=True)
class TrainSettings:
    num_train_epochs: float = _default("num_train_epochs")
    max_steps: int = _default("max_steps")  # -1: train for num_train_epochs
    per_device_train_batch_size: int = _default("per_device_train_batch_size")
    per_device_eval_batch_size: int = _default("per_device_eval_batch_size")
    gradient_accumulation_steps: int = _default("gradient_accumulation_steps")
    learning_rate: float = _default("learning_rate")
    lr_scheduler_type: str = _default("lr_scheduler_type")
    warmup_steps: int = _default("warmup_steps")
    apply_lora: bool = _default("apply_lora")
    lora_r: int = _default("lora_r")
    lora_alpha: int = _default("lora_alpha")
    lora_dropout: float = _default("lora_dropout")
    lora_target_modules: tuple[str, ...] = _default("lora_target_modules")
    max_seq_length: int = _default("max_seq_length")
    eval_steps: int = _default("eval_steps")
    logging_steps: int = _default("logging_steps")
    seed: int = _default("seed")
    save_total_limit: int = _default("save_total_limit")
    # Not pipeline parameters: evaluation on CPU is slow, so a test split is capped, and a
    # single training file gives up this fraction of its rows for evaluation.
    max_eval_samples: int = 200
    eval_fraction: float = 0.05


def settings_from_params(params: dict) -> TrainSettings:
    """Typed settings from a params dict; unknown names (e.g. apply_deepspeed) are ignored.

    Raises ValueError naming the parameter whose value cannot be read.
    """
    values: dict[str, Any] = {}
    for name, convert in _CONVERTERS.items():
        raw = params.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = convert(raw)
        except (TypeError, ValueError):
            raise ValueError(f"parameter {name} has an unreadable value {raw!r}") from None
    return TrainSettings(**values)
