"""A job's parameters (JobSpec.params) as the typed values the worker trains with.

Names are the Hugging Face / Azure pipeline names (services.params). Values are often strings
("true", "5e-6") because they come from forms and `--set k=v`; this module is tolerant of
both. Missing values take the local defaults below. No heavy imports here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TrainSettings:
    num_train_epochs: float = 1.0
    max_steps: int = -1  # -1: train for num_train_epochs
    per_device_train_batch_size: int = 1
    per_device_eval_batch_size: int = 1
    gradient_accumulation_steps: int = 1
    learning_rate: float = 2e-4
    lr_scheduler_type: str = "cosine"
    warmup_steps: int = 0
    apply_lora: bool = True
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    lora_target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    max_seq_length: int = 512
    eval_steps: int = 10
    logging_steps: int = 1
    seed: int = 42
    save_total_limit: int = 1
    # Not pipeline parameters: evaluation on CPU is slow, so a test split is capped, and a
    # single training file gives up this fraction of its rows for evaluation.
    max_eval_samples: int = 200
    eval_fraction: float = 0.05


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


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
    "apply_lora": _bool,
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
