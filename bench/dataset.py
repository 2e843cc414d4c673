"""Part 1, dataset: preview, new sample, statistics and memory against pandas.

Files of 10k, 100k and 200k rows (.jsonl and .parquet) are made by repeating the 800 real
ultrachat rows of ../shared into a temporary folder. Parquet files get row groups of at most
100 MB uncompressed, the rule `datasets` (Dataset.to_parquet, push_to_hub) writes them by.
Every measurement is a cold child process; product and baseline alternate, and each figure
is the median of `repeats` runs.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from bench.common import (
    SHARED_ULTRACHAT,
    Figure,
    PartResult,
    Skipped,
    file_mb,
    median,
    run_child,
)
from bench.context import Context

PART = "dataset"
SIZES = (10_000, 100_000, 200_000)
FORMATS = ("jsonl", "parquet")
TARGET_ROWS = 200_000  # the targets are stated for 200k rows
ROW_GROUP_BYTES = 100 * 1024 * 1024  # datasets.config.MAX_ROW_GROUP_SIZE ("100MB")


def make_files(folder: Path, sizes=SIZES) -> dict[tuple[int, str], Path]:
    """JSON lines and parquet files of each size, the shared rows repeated in order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not SHARED_ULTRACHAT.exists():
        raise Skipped(f"{SHARED_ULTRACHAT} is absent (it ships beside the project, not in it)")
    lines = [line for line in SHARED_ULTRACHAT.read_bytes().splitlines() if line.strip()]
    table = pa.Table.from_pylist([_loads(line) for line in lines])
    files = {}
    for rows in sizes:
        jsonl = folder / f"ultrachat_{rows // 1000}k.jsonl"
        with open(jsonl, "wb") as handle:
            for index in range(rows):
                handle.write(lines[index % len(lines)] + b"\n")
        copies = [table] * (rows // len(lines)) + [table.slice(0, rows % len(lines))]
        whole = pa.concat_tables(copies)
        parquet = folder / f"ultrachat_{rows // 1000}k.parquet"
        # datasets' get_writer_batch_size_from_data_size: rows per group for <= 100 MB.
        group_rows = max(1, rows * ROW_GROUP_BYTES // whole.nbytes)
        pq.write_table(whole, parquet, row_group_size=group_rows)
        files[(rows, "jsonl")], files[(rows, "parquet")] = jsonl, parquet
    return files


def _loads(line: bytes) -> dict:
    import json

    return json.loads(line)


def run(context: Context, sizes=SIZES) -> PartResult:
    folder = context.scratch / "dataset"
    folder.mkdir(parents=True, exist_ok=True)
    files = make_files(folder, sizes)
    tokenizer = str(context.tokenizer_file())
    figures: list[Figure] = []
    ceilings: list[str] = []
    for (rows, fmt), path in files.items():
        figures += _compare(path, rows, fmt, context.repeats, tokenizer)
        if rows == TARGET_ROWS:
            ceilings.append(_ceiling(figures[-1], rows, tokenizer))
        context.progress(f"dataset {rows:,} rows {fmt}: done")
    intro = (
        f"Cold child processes, product and pandas alternating, {context.repeats} runs each "
        "(median); full statistics likewise, after the previews. Files were just written, so both "
        "sides read them from the page cache. Times are wall-clock; CPU seconds are in the notes "
        "(they move less when other work shares the cores)."
    )
    return PartResult(figures, intro, _notes(figures) + ceilings)


def _ceiling(exact: Figure, rows: int, tokenizer: str) -> str:
    """What this machine's cores allow an exact count of `rows` rows, against pandas' load."""
    rates = run_child(["bench.children.tokenizer_ceiling", tokenizer]).output
    text_mb = rates["text_mb"] * rows / rates["rows"]  # the files repeat the shared rows
    cores = os.cpu_count() or 1
    load = exact.baseline or float("nan")
    floor_s = text_mb / (rates["pretokenize_mb_per_cpu_s"] * cores)
    product_s = text_mb / (rates["count_mb_per_cpu_s"] * cores)
    label = exact.name.rsplit(" vs pandas' load, ", 1)[-1]
    return (
        f"Ceiling, {label}: the file holds {text_mb:.0f} MB of message "
        f"text. The tokenizer's own pre-tokenization (its ByteLevel regex, in Rust; no BPE "
        f"merge) splits {rates['pretokenize_mb_per_cpu_s']:.1f} MB per CPU-second here, so "
        f"splitting alone on all {cores} cores takes at least {floor_s:.0f} s: at best "
        f"{load / floor_s:.2f}x pandas' load ({load:.2f} s), against the 0.5x target. The "
        f"product's split (services/data/word_split.py, numpy) runs at "
        f"{rates['split_mb_per_cpu_s']:.0f} MB per CPU-second and its whole exact count "
        f"(split, Arrow hash, remembered words) at {rates['count_mb_per_cpu_s']:.0f}: at least "
        f"{product_s:.1f} s on {cores} cores ({load / product_s:.2f}x), before reading the file."
    )


def _cpu(runs) -> float:
    return median([run.cpu_s for run in runs])


def _notes(figures: list[Figure]) -> list[str]:
    notes = []
    for figure in figures:
        if figure.met is False:
            notes.append(f"Missed: {figure.name}: {figure.shortfall}. {_why(figure)}")
    return notes


def _why(figure: Figure) -> str:
    name = figure.name
    if name.startswith("full statistics (exact tokens"):
        return (
            "Counting every message's tokens exactly is most of the pass (see its CPU time): "
            "services/data/word_split.py splits each batch's texts into words in numpy (the "
            "tokenizer's regex rules over the UTF-8 bytes), Arrow hashes the words and each "
            "distinct word goes through the tokenizer once. pandas only parses. The preview "
            "and new samples do not wait for the count; the ceiling note says what the cores "
            "allow."
        )
    if name.startswith("full statistics") and "parquet" in name:
        return (
            "Row groups are decoded two at a time in helper threads, the messages column "
            "only (services/data/files.py iter_batches), checked in Arrow "
            "(services/data/columns.py), tokens estimated from Arrow's utf8_length; pandas' "
            "read_parquet decodes on every core too. See the CPU time in the note for the "
            "machine's load."
        )
    if name.startswith("first preview") and "parquet" in name:
        return (
            "The preview reads the footer and the first window of the first row group "
            "(services/data/files.py ParquetDataset); most of the rest is the interpreter and "
            "pyarrow's import."
        )
    return ""


def _groups(path: Path, fmt: str) -> str:
    if fmt != "parquet":
        return ""
    import pyarrow.parquet as pq

    return f", {pq.ParquetFile(path).metadata.num_row_groups} row groups"


def _compare(path: Path, rows: int, fmt: str, repeats: int, tokenizer: str) -> list[Figure]:
    product, baseline = [], []
    for _ in range(repeats):  # alternate, so drifting load on the machine hits both alike
        product.append(run_child(["bench.children.dataset_product", "preview", str(path)]))
        baseline.append(run_child(["bench.children.dataset_pandas", str(path)]))
    label = f"{rows // 1000}k rows {fmt} ({file_mb(path):.0f} MB{_groups(path, fmt)})"
    at_target = rows == TARGET_ROWS
    preview = Figure(
        PART,
        f"first preview of 5, cold process, {label}",
        "s",
        median([r.wall_s for r in product]),
        median([r.wall_s for r in baseline]),
        target=">= 5x faster than pandas" if at_target else "",
        note="whole child process: interpreter start, imports, read, draw; CPU "
        f"{_cpu(product):.1f} s vs {_cpu(baseline):.1f} s",
    )
    if at_target:
        preview = preview.needs_ratio(5)
    new_sample_ms = median([median(r.output["sample_ms"]) for r in product])
    new_sample = Figure(
        PART,
        f"new sample of 5, {label}",
        "ms",
        new_sample_ms,
        median([median(r.output["sample_ms"]) for r in baseline]),
        target="< 50 ms",
        note="file already open (the page caches it); pandas: DataFrame.sample(5); slowest "
        f"draw {max(max(r.output['sample_ms']) for r in product):.1f} ms",
    ).needs_below(50)
    size_mb = file_mb(path)
    memory = Figure(
        PART,
        f"peak memory, preview, {label}",
        "MB",
        median([r.peak_mb for r in product]),
        median([r.peak_mb for r in baseline]),
        note="VmHWM of the child process (the interpreter with numpy alone is ~31 MB)",
    )
    if rows >= 100_000:  # below that, the interpreter alone is more than 2x the file
        memory = replace(memory, target=f"< 2x file size ({2 * size_mb:.0f} MB)")
        memory = memory.needs_below(2 * size_mb)
    figures = [preview, new_sample, memory]
    # Full passes: tokens are estimated on every file (the CLI's default); the page's exact
    # counts, every row, on the 200k-row files. The median of `repeats` runs, as pandas' load.
    load = median([r.output["load_s"] for r in baseline])
    counters = [("estimated tokens", None, 1.0, "no slower than pandas' load")]
    if at_target:
        counters.append(
            ("exact tokens, every row, as the page", tokenizer, 0.5, "<= 2x pandas' load")
        )
    for what, counter, minimum, target in counters:
        args = ["bench.children.dataset_product", "stats", str(path)]
        runs = [run_child(args + ([counter] if counter else [])) for _ in range(repeats)]
        stats = sorted(runs, key=lambda run: run.output["stats_s"])[len(runs) // 2]
        figures.append(
            Figure(
                PART,
                f"full statistics ({what}) vs pandas' load, {label}",
                "s",
                stats.output["stats_s"],
                load,
                target=target,
                note=f"median of {len(runs)} runs; its CPU {stats.cpu_s:.1f} s, peak "
                f"{stats.peak_mb:.0f} MB; {stats.output['tokens_counted']:,} rows' tokens counted",
            ).needs_ratio(minimum)
        )
    return figures
