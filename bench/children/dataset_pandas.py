"""Baseline of the dataset part: `python -m bench.children.dataset_pandas PATH`.

What people do without the product: load the whole file with pandas (read_json(lines=True)
for JSON lines, read_parquet for parquet), then DataFrame.sample(5); then time new draws.
"""

from __future__ import annotations

import sys
import time

from bench.children import report

NEW_SAMPLES = 7


def main(path: str) -> None:
    started = time.perf_counter()
    import pandas as pd

    parquet = path.endswith(".parquet")
    frame = pd.read_parquet(path) if parquet else pd.read_json(path, lines=True)
    load_s = time.perf_counter() - started
    first = frame.sample(5, random_state=0)
    preview_s = time.perf_counter() - started
    sample_ms = []
    for seed in range(1, NEW_SAMPLES + 1):
        began = time.perf_counter()
        frame.sample(5, random_state=seed)
        sample_ms.append((time.perf_counter() - began) * 1000)
    report(
        rows=len(frame), shown=len(first), load_s=load_s, preview_s=preview_s, sample_ms=sample_ms
    )


if __name__ == "__main__":
    main(sys.argv[1])
