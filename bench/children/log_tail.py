"""Product side of the log-tail cost: the Jobs page's read path on a big log.

    python -m bench.children.log_tail STUDIO_HOME JOB_ID ROUNDS LINES_PER_ROUND

The job's train.log already holds the big log. Like the page's fragment, the first call reads
with no offsets, later calls with the offsets it returned, and the text kept on screen is the
last LOG_CHARS characters. Between calls, new lines are appended (not counted).
"""

from __future__ import annotations

import os
import sys
import time

from bench.children import report

LOG_CHARS = 20_000  # pages/jobs.py keeps this much text on screen


def main(home: str, job_id: str, rounds: int, lines: int) -> None:
    os.environ["STUDIO_HOME"] = home
    from services.training.jobs import read_logs

    log = os.path.join(home, "jobs", job_id, "train.log")
    cpu, wall = time.process_time(), time.perf_counter()
    chunk = read_logs(job_id, None)
    text = ("" + chunk.text)[-LOG_CHARS:]
    first_cpu, first_wall = time.process_time() - cpu, time.perf_counter() - wall
    offsets, polls = chunk.offsets, []
    for round_number in range(rounds):
        with open(log, "a") as handle:
            for line in range(lines):
                handle.write(f"step {round_number}.{line} loss=1.234 learning_rate=2e-4\n")
        cpu = time.process_time()
        chunk = read_logs(job_id, offsets)
        text = (text + chunk.text)[-LOG_CHARS:]
        polls.append(time.process_time() - cpu)
        offsets = chunk.offsets
    report(first_cpu_s=first_cpu, first_wall_s=first_wall, poll_cpu_s=polls, shown=len(text))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
