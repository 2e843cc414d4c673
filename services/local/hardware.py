"""What this machine has: RAM, and the CUDA GPUs a training process would see.

GPUs are found with nvidia-smi, so the caller never imports torch. CUDA_VISIBLE_DEVICES is
honoured the way CUDA reads it, and a CPU-only torch build is detected from package metadata.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
from dataclasses import dataclass

from services.local.memory_estimate import GB


@dataclass(frozen=True)
class Gpu:
    index: int  # as CUDA numbers it in this process (after CUDA_VISIBLE_DEVICES)
    name: str
    total_gb: float
    free_gb: float

    @property
    def compute_name(self) -> str:
        return f"cuda:{self.index}"


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
