"""A stand-in worker for the log-delay measurement: `python -m bench.children.log_writer LOG N`.

Appends N lines, each stamped with the wall-clock time it was written, at irregular intervals
(so the reader's refresh meets them at every phase), flushing each line as the worker does.
"""

from __future__ import annotations

import random
import sys
import time


def main(log: str, count: int) -> None:
    rng = random.Random(7)
    with open(log, "a") as handle:
        for number in range(count):
            time.sleep(rng.uniform(0.2, 1.1))
            handle.write(f"written_at={time.time():.6f} line {number}\n")
            handle.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
