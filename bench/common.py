"""What every benchmark part shares: figures, child processes, statistics, the machine.

A figure is one measurement of the product next to its baseline, taken in the same run. Its
`ratio` is always oriented so that > 1 means the product is better: baseline / product for
times and memory, product / baseline for rates.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_ULTRACHAT = ROOT.parent / "shared" / "data" / "ultrachat" / "train_sft_sample.jsonl"


@dataclass(frozen=True)
class Figure:
    """One product figure beside its baseline figure."""

    part: str
    name: str
    unit: str
    product: float | None
    baseline: float | None
    higher_is_better: bool = False
    target: str = ""  # the target, in words
    met: bool | None = None  # None: no target, or not measurable here
    note: str = ""
    shortfall: str = ""  # when a target is missed: by how much

    def needs_ratio(self, minimum: float) -> Figure:
        """The target "at least `minimum` x the baseline" (ratio oriented as above)."""
        ratio = self.ratio
        met = ratio is not None and ratio >= minimum
        gap = "" if met or ratio is None else f"{ratio:.2f}x, {minimum / ratio:.1f}x short"
        return replace(self, met=met, shortfall=gap)

    def needs_below(self, limit: float) -> Figure:
        """The target "product figure below `limit`" (same unit)."""
        met = self.product is not None and self.product < limit
        gap = "" if met or self.product is None else f"{self.product / limit:.1f}x the limit"
        return replace(self, met=met, shortfall=gap)

    @property
    def ratio(self) -> float | None:
        if not self.product or not self.baseline:
            return None
        if self.higher_is_better:
            return self.product / self.baseline
        return self.baseline / self.product


@dataclass(frozen=True)
class PartResult:
    """What one part measured: its figures, how (intro) and what the figures mean (notes)."""

    figures: list[Figure]
    intro: str
    notes: list[str]


class Skipped(Exception):
    """A part cannot run here (missing data or tool); the message says what is missing."""


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: wall time, its own peak RSS, CPU time and JSON output."""

    wall_s: float
    peak_mb: float
    cpu_s: float
    output: dict


def child_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": os.environ.get("TOKENIZERS_PARALLELISM", "true"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.update(extra)
    return env


def run_child(args: list[str], *, timeout_s: float = 600, env: dict | None = None) -> ChildRun:
    """Run `python -m <args>` from a cold start; its last stdout line is its JSON result.

    Peak memory and CPU time are the child's own (it reports them: bench.children.report).
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env or child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RuntimeError(f"{' '.join(args)} took longer than {timeout_s:.0f} s") from None
    wall = time.perf_counter() - started
    if process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{tail}")
    lines = [line for line in stdout.strip().splitlines() if line.startswith("{")]
    output = json.loads(lines[-1]) if lines else {}
    return ChildRun(wall, output.get("peak_mb", 0.0), output.get("cpu_s", 0.0), output)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def alternate(
    repeats: int,
    product: list[str],
    baseline: list[str],
    *,
    timeout_s: float = 600,
    progress: Callable[[str, int], None] = lambda side, repeat: None,
) -> tuple[list[ChildRun], list[ChildRun]]:
    """Both sides `repeats` times as cold children (run_child), product then baseline in turn,
    so whatever else loads a shared machine during the part falls on both sides alike.

    `progress(side, repeat)` is called before each run ("product" or "baseline", from 1).
    """
    products: list[ChildRun] = []
    baselines: list[ChildRun] = []
    for repeat in range(1, repeats + 1):
        for side, args, runs in (("product", product, products), ("baseline", baseline, baselines)):
            progress(side, repeat)
            runs.append(run_child(args, timeout_s=timeout_s))
    return products, baselines


def peak_memory(
    part: str, name: str, products: list[ChildRun], baselines: list[ChildRun], **details: Any
) -> Figure:
    """The median peak memory of the product's children beside the baseline's (MB); `details`
    are the Figure's other fields (note, target, met, shortfall)."""
    product_mb = median([run.peak_mb for run in products])
    baseline_mb = median([run.peak_mb for run in baselines])
    return Figure(part, name, "MB", product_mb, baseline_mb, **details)


def file_mb(path: Path) -> float:
    return path.stat().st_size / 1024 / 1024


def machine() -> dict[str, str]:
    """The machine and the library versions (read from metadata: torch is not imported)."""
    versions = {}
    for package in (
        "torch", "transformers", "peft", "trl", "mlflow", "streamlit", "pandas", "pyarrow",
    ):  # fmt: skip
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": f"{os.cpu_count()} x {_cpu_model()}",
        "ram": f"{_mem_total_gb():.1f} GB",
        "os": platform.platform(),
        "python": platform.python_version(),
        **versions,
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "commit": _git_commit(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _mem_total_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return result.stdout.strip() or "unknown"
    except OSError:
        return "unknown"
