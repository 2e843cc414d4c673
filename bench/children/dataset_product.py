"""Product side of the dataset part: `python -m bench.children.dataset_product MODE PATH [TOK]`.

MODE "preview": open the file, draw the first 5 conversations (what the Dataset page shows
first), then time new draws of 5. MODE "stats": open the file and check every row with
statistics (inspect_dataset), token counts of every row with the tokenizer file TOK, or
estimated.
"""

from __future__ import annotations

import sys
import time

from bench.children import report

NEW_SAMPLES = 7


def preview(path: str) -> None:
    started = time.perf_counter()
    from services.data import open_dataset

    dataset = open_dataset(path)
    first = dataset.sample(5, seed=0)
    preview_s = time.perf_counter() - started
    sample_ms = []
    for seed in range(1, NEW_SAMPLES + 1):
        began = time.perf_counter()
        dataset.sample(5, seed=seed)
        sample_ms.append((time.perf_counter() - began) * 1000)
    report(rows=dataset.row_count, shown=len(first), preview_s=preview_s, sample_ms=sample_ms)


def stats(path: str, tokenizer: str | None) -> None:
    started = time.perf_counter()
    from services.data import TokenCounter, inspect_dataset, open_dataset

    counter = TokenCounter.from_file(tokenizer) if tokenizer else TokenCounter.estimate()
    result = inspect_dataset(open_dataset(path), counter)
    report(
        rows=result.rows,
        valid=result.valid,
        tokens_counted=len(result.stats.tokens),
        stats_s=time.perf_counter() - started,
    )


if __name__ == "__main__":
    mode, file = sys.argv[1], sys.argv[2]
    if mode == "preview":
        preview(file)
    else:
        stats(file, sys.argv[3] if len(sys.argv) > 3 else None)
