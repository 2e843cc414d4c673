"""`python -m bench [dataset|training|endpoint|app|logs|evaluation ...]`: run the benchmarks,
print a table, update bench/RESULTS.md. Without arguments every part runs (how long it takes:
bench/README.md, "Duration")."""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.common import Skipped, machine
from bench.context import Context
from bench.results import TITLES, markdown_section, print_table, skipped_section, update_results

PARTS = tuple(TITLES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("parts", nargs="*", choices=[[], *PARTS], metavar="PART",
                        help=f"parts to run (default: all): {', '.join(PARTS)}")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    parts = args.parts or list(PARTS)
    machine_info = machine()
    scratch = Path(tempfile.mkdtemp(prefix="studio-bench-"))
    context = Context(scratch, repeats=max(1, args.repeats))
    context.activate()
    figures, sections, failed = [], {}, []
    try:
        for part in parts:
            context.progress(f"part {part}: starting")
            began, load = time.monotonic(), os.getloadavg()[0]
            module = importlib.import_module(f"bench.{part}")
            try:
                result = module.run(context)
            except Skipped as reason:
                context.progress(f"part {part}: skipped: {reason}")
                sections[part] = skipped_section(part, str(reason))
                continue
            except Exception:  # one broken part must not lose the others' figures
                traceback.print_exc()
                failed.append(part)
                continue
            figures += result.figures
            measured = (
                f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} in "
                f"{(time.monotonic() - began) / 60:.1f} min; 1-minute load average "
                f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (2 cores)."
            )
            sections[part] = markdown_section(
                part, result.figures, result.intro, result.notes, measured
            )
            context.progress(f"part {part}: done")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print_table(figures)
    machine_info["parts run"] = ", ".join(parts)
    machine_info["duration"] = f"{(time.monotonic() - context.started) / 60:.1f} min"
    machine_info["load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if sections and not args.no_write:
        path = update_results(machine_info, sections)
        print(f"\nwrote {path}")
    if failed:
        print(f"failed parts: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
