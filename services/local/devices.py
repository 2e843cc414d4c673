"""Local compute: the CPU and each visible CUDA GPU, and whether a run fits on them.

GPUs are found with nvidia-smi, so the caller never imports torch. CUDA_VISIBLE_DEVICES is
honoured the way CUDA does it, and a CPU-only torch build makes GPUs unusable for training.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
from dataclasses import dataclass

from services.backends.base import ComputeCheck, ComputeInfo, ModelInfo
from services.errors import ModelError
from services.local import catalog
from services.local.memory_estimate import GB, ModelShape, estimate_training_memory

CPU = "cpu"


@dataclass(frozen=True)
class Gpu:
    index: int  # as CUDA numbers it in this process (after CUDA_VISIBLE_DEVICES)
    name: str
    total_gb: float
    free_gb: float

    @property
    def compute_name(self) -> str:
        return f"cuda:{self.index}"


def list_computes() -> list[ComputeInfo]:
    """ "cpu" (with total RAM) and one "cuda:N" per visible GPU (name, memory)."""
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
    estimate = estimate_training_memory(
        shape,
        device="gpu" if used else "cpu",
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        apply_lora=apply_lora,
    )
    if used:
        available = min(gpu.free_gb for gpu in used)
        where = f"{used[0].name} ({', '.join(gpu.compute_name for gpu in used)})"
    else:
        total, available = ram_gb()
        details["total_memory_gb"] = round(total, 2)
        where = "this machine's free RAM"
    required = estimate.total_gb
    details["estimate"] = estimate.to_dict()
    check = {
        "gpus": gpus,
        "required_memory_gb": round(required, 2),
        "available_memory_gb": round(available, 2),
        "details": details,
    }
    if required > available:
        reason = (
            f"Will not fit: the run needs about {required:.1f} GB per device, "
            f"{where} has {available:.1f} GB available."
        )
        hints = _memory_hints(shape, available, batch_size, max_seq_length, apply_lora, bool(used))
        return ComputeCheck(ok=False, reasons=(reason,), hints=hints, **check)
    return ComputeCheck(ok=True, **check)


def visible_gpus() -> list[Gpu]:
    """GPUs CUDA would show this process, from nvidia-smi; [] without a driver."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return []
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        out = subprocess.run(
            [
                smi,
                "--query-gpu=index,uuid,name,memory.total,memory.free",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return _parse_nvidia_smi(out, visible)


def _parse_nvidia_smi(out: str, visible: str | None) -> list[Gpu]:
    rows = [[cell.strip() for cell in line.split(",")] for line in out.splitlines() if line.strip()]
    by_key = {}
    for index, uuid, name, total_mib, free_mib in rows:
        gpu = (name, float(total_mib) * 2**20 / GB, float(free_mib) * 2**20 / GB)
        by_key[index] = by_key[uuid] = gpu
    if visible is None:
        order = [row[0] for row in rows]
    else:
        # CUDA stops at the first entry it does not recognise; entries may be indices or UUIDs.
        order = []
        for entry in (e.strip() for e in visible.split(",")):
            match = next(
                (
                    k
                    for k in by_key
                    if k == entry or (entry.startswith("GPU-") and k.startswith(entry))
                ),
                None,
            )
            if match is None:
                break
            order.append(match)
    return [Gpu(i, *by_key[key]) for i, key in enumerate(order)]


def ram_gb() -> tuple[float, float]:
    """(total, available) RAM in GB, from /proc/meminfo (sysconf where there is none)."""
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo.read().splitlines())
        total = int(fields["MemTotal"].split()[0]) * 1024
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        available = total
    return total / GB, available / GB


def torch_has_cuda() -> bool:
    """False for a CPU-only torch build ("+cpu"), read from package metadata, not imported."""
    try:
        return "+cpu" not in importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return False


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
    if compute == CPU:
        if gpus > 0:
            return [
                f"Asked for {gpus} GPU{'s' if gpus > 1 else ''} on compute 'cpu'; "
                f"this machine has {visible}."
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
        return [
            "The installed torch is a CPU-only build, so it cannot train on GPUs.",
        ], []
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
    on_gpu: bool,
) -> tuple[str, ...]:
    device = "gpu" if on_gpu else "cpu"

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
            "Even batch size 1 with short sequences does not fit: "
            "pick a smaller model or a device with more memory."
        )
    return tuple(hints)


def _halvings(value: int) -> list[int]:
    values = []
    while value > 1:
        value //= 2
        values.append(value)
    return values
