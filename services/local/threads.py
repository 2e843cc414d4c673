"""How many CPU threads torch may use in a worker or server process of this machine."""

from __future__ import annotations

import os


def cpu_cores() -> int:
    """Cores this process may run on (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def cap_torch_threads(env_var: str, default: int) -> int:
    """Set torch's intra-op threads to $env_var (or `default`); the number torch now uses.

    Threads beyond the cores a process can really have spin-wait for cores other processes
    hold: on 2 busy cores, 64 tokens of SmolLM2 took 18 s with 2 threads and 4.8 s with 1.
    Imports torch: call it only in worker and server processes.
    """
    import torch

    try:
        threads = int(os.environ.get(env_var) or default)
    except ValueError:
        threads = default
    torch.set_num_threads(max(1, threads))
    return torch.get_num_threads()
