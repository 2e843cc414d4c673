"""Scripts the benchmarks run as cold child processes (`python -m bench.children.<name>`).

They import as little as possible beyond what they measure, and end by printing one JSON line
with `report(...)`: their results plus their own peak RSS and CPU time.
"""

from __future__ import annotations

import json
import os


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, in MB.

    Not ru_maxrss: Linux carries the parent's peak over fork/exec into the child's ru_maxrss,
    so a small child of a big parent would report the parent's size.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def report(**values) -> None:
    """Print the child's result line, with its own peak RSS (MB) and CPU seconds."""
    times = os.times()
    values.setdefault("peak_mb", peak_rss_mb())
    values.setdefault("cpu_s", times.user + times.system)
    print(json.dumps(values), flush=True)
