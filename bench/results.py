"""Print figures as a table and keep bench/RESULTS.md up to date, one section per part.

Running one part rewrites only that part's section (and the machine header), so
`python -m bench endpoint` refreshes the endpoint figures and keeps the others.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.common import Figure

RESULTS = Path(__file__).with_name("RESULTS.md")
TITLES = {
    "dataset": "1. Dataset: preview, sample, statistics, memory (baseline: pandas)",
    "training": "2. Training: tokens/s and peak memory (baseline: TRL SFTTrainer)",
    "endpoint": "3. Endpoint: latency, throughput, first token (baseline: mlflow models serve)",
    "app": "4. The app: cold start, page renders, memory (floor: a one-line Streamlit app)",
    "logs": "5. Live logs: delay and CPU cost of the tail (baseline: GNU tail)",
    "evaluation": "6. Evaluation: examples/min and memory (baseline: one-prompt generate loop)",
}
HEADER = """# Benchmark results

Written by `python -m bench` (`make bench`) from a real run; what each figure means and how it
is measured: [README.md](README.md). **ratio > 1 means the product is better** (baseline /
product for times and memory, product / baseline for rates). Each figure is the median of the
runs named in its section; product and baseline run alternately in the same session.
"""


def amount(value: float | None, unit: str) -> str:
    text = number(value)
    return text if text == "n/a" else f"{text} {unit}"


def number(value: float | None) -> str:
    if value is None or value != value:  # None or NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"


def verdict(figure: Figure) -> str:
    if figure.met is None:
        return ""
    return "yes" if figure.met else f"**no** ({figure.shortfall})" if figure.shortfall else "**no**"


def print_table(figures: list[Figure]) -> None:
    rows = [("part", "figure", "product", "baseline", "ratio", "target met")]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else f"NO ({f.shortfall})")
        ratio = f"{f.ratio:.2f}x" if f.ratio else "n/a"
        rows.append(
            (f.part, f.name, amount(f.product, f.unit), amount(f.baseline, f.unit), ratio, met)
        )  # fmt: skip
    widths = [min(max(len(row[i]) for row in rows), 70) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell[:70].ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def markdown_section(
    part: str, figures: list[Figure], intro: str, notes: list[str], measured: str = ""
) -> str:
    lines = [f"<!-- part:{part} -->", f"## {TITLES[part]}", ""]
    if measured:
        lines += [f"*{measured}*", ""]
    lines += [intro, ""]
    lines += [
        "| figure | product | baseline | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for f in figures:
        ratio = f"{f.ratio:.2f}x" if f.ratio else "n/a"
        name = f"{f.name}<br><sub>{f.note}</sub>" if f.note else f.name
        lines.append(
            f"| {name} | {amount(f.product, f.unit)} | {amount(f.baseline, f.unit)} | {ratio} "
            f"| {f.target} | {verdict(f)} |"
        )
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    lines += ["", f"<!-- /part:{part} -->"]
    return "\n".join(lines)


def skipped_section(part: str, reason: str) -> str:
    return "\n".join(
        [f"<!-- part:{part} -->", f"## {TITLES[part]}", "", f"Skipped: {reason}.", "",
         f"<!-- /part:{part} -->"]
    )  # fmt: skip


def update_results(machine: dict[str, str], sections: dict[str, str]) -> Path:
    """Replace the machine table and the given parts' sections; keep the other sections."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    kept = {
        part: match.group(0)
        for part in TITLES
        if (match := re.search(rf"<!-- part:{part} -->.*?<!-- /part:{part} -->", old, re.S))
    }
    kept.update(sections)
    machine_rows = "\n".join(f"| {key} | {value} |" for key, value in machine.items())
    body = [HEADER, "## Machine (the latest run)", "", "| | |", "|---|---|", machine_rows, ""]
    for part in TITLES:
        if part in kept:
            body += [kept[part], ""]
    RESULTS.write_text("\n".join(body).rstrip() + "\n")
    return RESULTS
