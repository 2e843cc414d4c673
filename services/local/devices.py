"""Local compute: the CPU and each visible CUDA GPU, and whether a run fits on them."""

from __future__ import annotations

import os
from typing import Any

from services.backends.base import ComputeCheck, ComputeInfo, ModelInfo
from services.errors import ModelError
from services.local import catalog
from services.local.hardware import Gpu, ram_gb, torch_has_cuda, visible_gpus
from services.local.memory_estimate import ModelShape, estimate_training_memory

CPU = "cpu"


def list_computes() -> list[ComputeInfo]:
    """The CPU ("cpu", with its total RAM) and one "cuda:N" per visible GPU (name, memory)."""
    total, _ = ram_gb()
    computes = [
        ComputeInfo(
            name=CPU,
            kind="cpu",
            memory_gb=round(total, 1),
            description=f"{os.cpu_count() or 1} CPU cores",
        )
    ]
    computes += [
        ComputeInfo(
            name=gpu.compute_name,
            kind="gpu",
            gpus=1,
            memory_gb=round(gpu.total_gb, 1),
            description=gpu.name,
        )
        for gpu in visible_gpus()
    ]
    return computes


def check_compute(
    model: ModelInfo,
    compute: str,
    *,
    gpus: int,
    batch_size: int,
    max_seq_length: int,
    apply_lora: bool = True,
) -> ComputeCheck:
    """Refuse what cannot run here: GPU counts, sequence lengths, and runs that will not fit.

    `compute` is "cpu" or "cuda:N" ("" picks "cpu" for gpus=0, else "cuda:0"); `gpus` GPUs
    are used from that index on, each holding a full copy of the model (data parallel).
    """
    compute = compute or (CPU if gpus == 0 else "cuda:0")
    reasons = _shape_problems(model, batch_size, max_seq_length)
    gpu_list = visible_gpus()
    gpu_problem, used = _gpu_problems(compute, gpus, gpu_list)
    reasons += gpu_problem
    details: dict = {"compute": compute, "visible_gpus": len(gpu_list)}
    if reasons:
        return ComputeCheck(
            ok=False, reasons=tuple(reasons), hints=_gpu_hints(gpu_list), gpus=gpus, details=details
        )
    try:
        shape = catalog.model_shape(model.id)
    except ModelError as error:
        return ComputeCheck(
            ok=False, reasons=(error.message,), hints=(error.hint,), gpus=gpus, details=details
        )
    return _memory_check(
        shape,
        used,
        gpus=gpus,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        apply_lora=apply_lora,
        details=details,
    )


def _memory_check(
    shape: ModelShape,
    used: list[Gpu],
    *,
    gpus: int,
    batch_size: int,
    max_seq_length: int,
    apply_lora: bool,
    details: dict,
) -> ComputeCheck:
    """The estimate against free memory: of the tightest GPU used, or of RAM on the CPU."""
    device = "gpu" if used else "cpu"
    estimate = estimate_training_memory(
        shape,
        device=device,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        apply_lora=apply_lora,
    )
    if used:
        tightest = min(used, key=lambda gpu: gpu.free_gb)
        available = tightest.free_gb
        needs = f"about {estimate.total_gb:.1f} GB on each GPU"
        has = f"{tightest.compute_name} ({tightest.name}) has {available:.1f} GB free"
    else:
        total, available = ram_gb()
        details["total_memory_gb"] = round(total, 2)
        needs = f"about {estimate.total_gb:.1f} GB of RAM"
        has = f"this machine has {available:.1f} GB free"
    details["estimate"] = estimate.to_dict()
    numbers: dict[str, Any] = {
        "gpus": gpus,
        "required_memory_gb": round(estimate.total_gb, 2),
        "available_memory_gb": round(available, 2),
        "details": details,
    }
    if estimate.total_gb <= available:
        return ComputeCheck(ok=True, **numbers)
    return ComputeCheck(
        ok=False,
        reasons=(f"Will not fit: the run needs {needs}, {has}.",),
        hints=_memory_hints(shape, available, batch_size, max_seq_length, apply_lora, device),
        **numbers,
    )


def _shape_problems(model: ModelInfo, batch_size: int, max_seq_length: int) -> list[str]:
    problems = []
    if batch_size < 1:
        problems.append(f"Batch size must be at least 1 (got {batch_size}).")
    if max_seq_length < 1:
        problems.append(f"Maximum sequence length must be at least 1 (got {max_seq_length}).")
    elif model.context_length and max_seq_length > model.context_length:
        problems.append(
            f"Maximum sequence length {max_seq_length} is longer than the model's "
            f"context of {model.context_length} tokens."
        )
    return problems


def _gpu_problems(compute: str, gpus: int, gpu_list: list[Gpu]) -> tuple[list[str], list[Gpu]]:
    """(reasons, GPUs the run would use)."""
    count = len(gpu_list)
    visible = f"{count} GPU{'s' if count != 1 else ''} visible" + (
        f" ({', '.join(g.compute_name for g in gpu_list)})" if gpu_list else ""
    )
    if gpus < 0:
        return [f"The number of GPUs cannot be negative (got {gpus}); 0 means CPU."], []
    if gpus > count:
        plural = "s" if gpus > 1 else ""
        return [f"Asked for {gpus} GPU{plural}, but this machine has {visible}."], []
    if compute == CPU:
        if gpus > 0:
            return [
                f"Compute 'cpu' runs without GPUs (asked for {gpus}); pick a cuda compute "
                "or 0 GPUs."
            ], []
        return [], []
    names = [gpu.compute_name for gpu in gpu_list]
    if compute not in names:
        return [f"Unknown compute {compute!r}: this machine has 'cpu' and {visible}."], []
    if gpus == 0:
        return [f"Compute {compute!r} needs at least 1 GPU; 0 GPUs means compute 'cpu'."], []
    start = names.index(compute)
    if start + gpus > count:
        return [f"Asked for {gpus} GPUs from {compute} on, but this machine has {visible}."], []
    if not torch_has_cuda():
        return ["The installed torch is a CPU-only build, so it cannot train on GPUs."], []
    return [], gpu_list[start : start + gpus]


def _gpu_hints(gpu_list: list[Gpu]) -> tuple[str, ...]:
    if not gpu_list:
        return ("Train on the CPU: compute 'cpu' with 0 GPUs.",)
    return (f"Use between 1 and {len(gpu_list)} GPUs, or compute 'cpu' with 0 GPUs.",)


def _memory_hints(
    shape: ModelShape,
    available: float,
    batch_size: int,
    max_seq_length: int,
    apply_lora: bool,
    device: str,
) -> tuple[str, ...]:

    def fits(batch: int, length: int, lora: bool) -> bool:
        estimate = estimate_training_memory(
            shape, device=device, batch_size=batch, max_seq_length=length, apply_lora=lora
        )
        return estimate.total_gb <= available

    hints = []
    batch = next((b for b in _halvings(batch_size) if fits(b, max_seq_length, apply_lora)), None)
    if batch is not None:
        hints.append(f"Use a smaller batch: batch size {batch} fits.")
    length = next((n for n in _halvings(max_seq_length) if fits(batch_size, n, apply_lora)), None)
    if length is not None:
        hints.append(f"Use shorter sequences: max_seq_length {length} fits.")
    if not apply_lora:
        hints.append(
            "Turn LoRA on: only small adapter matrices are trained"
            + (", and that fits." if fits(batch_size, max_seq_length, True) else ".")
        )
    if not hints:
        hints.append(
            "Neither a smaller batch nor shorter sequences fit on their own: "
            "pick a smaller model or a device with more memory."
        )
    return tuple(hints)


def _halvings(value: int) -> list[int]:
    values = []
    while value > 1:
        value //= 2
        values.append(value)
    return values
