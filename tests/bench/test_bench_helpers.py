"""The benchmark harness's own logic: ratios, targets, RESULTS.md sections, sources it parses."""

from __future__ import annotations

import json

import pytest

from bench import results
from bench.app import app_pages
from bench.common import Figure, run_child
from bench.logs import refresh_seconds
from services.percentile import percentile


def test_ratio_is_above_one_when_the_product_is_better():
    faster = Figure("p", "time", "s", product=1.0, baseline=4.0)
    more = Figure("p", "rate", "tok/s", product=300.0, baseline=150.0, higher_is_better=True)
    assert faster.ratio == 4.0
    assert more.ratio == 2.0
    assert Figure("p", "missing", "s", product=None, baseline=1.0).ratio is None


def test_targets_say_by_how_much_they_are_missed():
    slow = Figure("p", "preview", "s", product=2.0, baseline=5.0).needs_ratio(5)
    assert slow.met is False and slow.shortfall == "2.50x, 2.0x short"
    assert Figure("p", "sample", "ms", 30.0, 1.0).needs_below(50).met is True
    big = Figure("p", "memory", "MB", 300.0, 100.0).needs_below(100)
    assert big.met is False and big.shortfall == "3.0x the limit"


def test_percentile_is_nearest_rank():
    assert percentile([1, 2, 3, 4, 5, 6], 0.5) == 3
    assert percentile([1, 2, 3, 4, 5, 6], 0.95) == 6


def test_running_one_part_keeps_the_other_sections(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS", tmp_path / "RESULTS.md")
    figure = Figure("dataset", "preview", "s", 1.0, 2.0)
    first = {
        "dataset": results.markdown_section("dataset", [figure], "intro one", []),
        "logs": results.skipped_section("logs", "no tail"),
    }
    results.update_results({"cpu": "2 x test"}, first)
    later = Figure("dataset", "preview", "s", 1.0, 3.0)
    results.update_results(
        {"cpu": "2 x test"},
        {"dataset": results.markdown_section("dataset", [later], "intro two", ["a note"])},
    )
    text = (tmp_path / "RESULTS.md").read_text()
    assert "intro two" in text and "intro one" not in text
    assert "| preview | 1.00 s | 3.00 s | 3.00x |" in text
    assert "Skipped: no tail." in text
    assert text.index("part:dataset") < text.index("part:logs")


def test_sources_the_benchmarks_read_are_where_they_expect():
    pages = dict(app_pages())
    assert pages["setup"] == "Setup" and "jobs" in pages
    assert refresh_seconds() > 0


def test_child_reports_its_own_peak_memory_not_the_parents(tmp_path):
    ballast = bytearray(200 * 1024 * 1024)  # a big parent must not inflate the child's figure
    ballast[::4096] = b"x" * len(ballast[::4096])
    data = tmp_path / "rows.jsonl"
    row = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    data.write_text("\n".join(json.dumps(row) for _ in range(20)) + "\n")
    child = run_child(["bench.children.dataset_product", "preview", str(data)])
    assert child.output["rows"] == 20 and child.output["shown"] == 5
    assert 0 < child.peak_mb < 150
    del ballast


@pytest.mark.parametrize("name", list(results.TITLES))
def test_every_part_has_a_module_with_run(name):
    import importlib

    assert callable(importlib.import_module(f"bench.{name}").run)
