"""`python -m services dataset inspect|sample|prepare`: conversation datasets from scripts.

inspect exits 0 when every row is valid, 1 when some rows are invalid, 2 when the file is
unreadable or not a dataset (no valid row at all).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from services.cli.output import add_json_flag, emit
from services.data import PreparedDataset, TokenCounter, inspect_dataset, open_dataset, prepare
from services.data.demo import demo_file
from services.data.preparation import DEFAULT_SPLIT_PC, DEFAULT_TEST_FRACTION
from services.data.report import TOKEN_SAMPLE

DEFAULT_MAX_SEQ_LENGTH = 2048


def register(subparsers) -> None:
    parser = subparsers.add_parser("dataset", help="inspect, sample and prepare datasets")
    verbs = parser.add_subparsers(dest="dataset_verb", required=True)

    inspect = verbs.add_parser("inspect", help="validate every row and print statistics")
    inspect.add_argument("path", help='.jsonl, .json or .parquet file, or "demo"')
    inspect.add_argument("--max-seq-length", type=int, default=DEFAULT_MAX_SEQ_LENGTH)
    inspect.add_argument(
        "--tokenizer", help="tokenizer.json for exact token counts (default: an estimate)"
    )
    inspect.add_argument(
        "--token-sample",
        type=int,
        default=TOKEN_SAMPLE,
        help=f"with --tokenizer: rows to count tokens on (default {TOKEN_SAMPLE}; 0: all)",
    )
    add_json_flag(inspect)
    inspect.set_defaults(handler=run_inspect)

    sample = verbs.add_parser("sample", help="print n random valid conversations")
    sample.add_argument("path", help='.jsonl, .json or .parquet file, or "demo"')
    sample.add_argument("-n", type=int, default=5, help="how many conversations (default 5)")
    sample.add_argument("--seed", type=int, default=0)
    add_json_flag(sample)
    sample.set_defaults(handler=run_sample)

    prep = verbs.add_parser("prepare", help="write train/test .jsonl splits for training")
    prep.add_argument("--source", required=True, help='a file, "demo", or a hub dataset id')
    prep.add_argument("--out", help="output folder (default: STUDIO_HOME/datasets/<name>)")
    prep.add_argument(
        "--split-pc", type=int, default=DEFAULT_SPLIT_PC, help="hub: percent of each split kept"
    )
    prep.add_argument(
        "--test-fraction",
        type=float,
        default=DEFAULT_TEST_FRACTION,
        help="file: share of rows in the test split",
    )
    prep.add_argument("--seed", type=int, default=0)
    add_json_flag(prep)
    prep.set_defaults(handler=run_prepare)


def run_inspect(args: argparse.Namespace) -> int:
    counter = TokenCounter.from_file(args.tokenizer) if args.tokenizer else None
    report = inspect_dataset(_resolve(args.path), counter, token_sample=args.token_sample or None)
    result = report.to_dict(args.max_seq_length)
    if report.valid == 0:
        result.update(
            error="DatasetError",
            message=f"None of the {report.rows} rows is a valid conversation.",
            hint="Each row needs `messages`: user/assistant turns with role and content.",
        )
    emit(result, as_json=args.json, text=_inspect_text(result))
    if report.valid == 0:
        return 2
    return 1 if report.invalid else 0


def run_sample(args: argparse.Namespace) -> int:
    dataset = open_dataset(_resolve(args.path))
    conversations = dataset.sample(args.n, seed=args.seed)
    result = {
        "path": str(dataset.path),
        "rows": dataset.row_count,
        "seed": args.seed,
        "conversations": [{"line": c.line, **c.row} for c in conversations],
    }
    text = "\n\n".join(
        f"--- line {c.line}\n" + "\n".join(f"{m['role']}: {m['content']}" for m in c.messages)
        for c in conversations
    )
    emit(result, as_json=args.json, text=text or "no valid conversation found")
    return 0 if conversations else 2


def run_prepare(args: argparse.Namespace) -> int:
    prepared = prepare(
        args.source,
        args.out,
        split_pc=args.split_pc,
        test_fraction=args.test_fraction,
        seed=args.seed,
    )
    result = {
        **_prepared_dict(prepared),
        "train_file": prepared.train_file,
        "test_file": prepared.test_file,
    }
    lines = [f"prepared {prepared.name} in {prepared.folder}"]
    lines += [f"  {s.name}.jsonl: {s.rows} rows" for s in prepared.splits]
    lines += _skipped_text(prepared)
    emit(result, as_json=args.json, text="\n".join(lines))
    return 0


def _skipped_text(prepared: PreparedDataset) -> list[str]:
    """The invalid rows prepare left out: how many, and the first few with their reasons."""
    count, shown = prepared.skipped_invalid, prepared.skipped_rows
    if not count:
        return []
    lines = [f"skipped {count} invalid row{'s' if count != 1 else ''}" + (":" if shown else "")]
    lines += [f"  line {row.line}: {row.reason}" for row in shown]
    if shown and count > len(shown):
        lines.append(
            f"  ... and {count - len(shown)} more "
            f"(`python -m services dataset inspect {prepared.source}` lists every one)"
        )
    return lines


def _prepared_dict(prepared: PreparedDataset) -> dict:
    return {
        "name": prepared.name,
        "folder": prepared.folder,
        "source": prepared.source,
        "splits": {s.name: {"path": s.path, "rows": s.rows} for s in prepared.splits},
        "train_split": prepared.train_split,
        "test_split": prepared.test_split,
        "skipped_invalid": prepared.skipped_invalid,
        "skipped_rows": [
            {"line": row.line, "reason": row.reason, "code": row.code}
            for row in prepared.skipped_rows
        ],
    }


def _resolve(path: str) -> Path:
    """A file path; "demo" names the bundled demo dataset."""
    return demo_file() if path == "demo" and not Path(path).exists() else Path(path)


def _inspect_text(result: dict) -> str:
    stats = result["stats"]
    approx = " (estimated)" if stats["tokens_approximate"] else ""
    if stats["tokens_sampled"]:
        approx += f" (random sample of {stats['tokens_counted']})"
    lines = [
        f"{result['path']}: {result['rows']} rows, {result['valid']} valid, "
        f"{result['invalid_count']} invalid",
        f"turns per conversation: mean {stats['turns']['mean']}, max {stats['turns']['max']}",
        f"tokens per conversation{approx}: mean {stats['tokens']['mean']}, "
        f"p95 {stats['tokens']['p95']}, max {stats['tokens']['max']}",
        f"longer than max_seq_length {stats['max_seq_length']}: "
        f"{stats['share_longer_than_max_seq_length']:.1%}",
    ]
    shown = result["invalid"][:20]
    lines += [f"  line {row['line']}: {row['reason']}" for row in shown]
    if result["invalid_count"] > len(shown):
        lines.append(f"  ... and {result['invalid_count'] - len(shown)} more (use --json)")
    if "message" in result:
        lines.append(f"error: {result['message']}")
    return "\n".join(lines)
