"""What an evaluation folder holds: <jobs_dir>/<job_id>/evaluations/<evaluation_id>/...

evaluation.json  the record (id, job, run id, rows, seed, sampling, pid); written by the parent
eval.log         the worker's stdout and stderr
progress.json    stage, done, total; rewritten by the worker as it goes
result.json      the scorecard and the per-example table, once the worker has finished
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RECORD_FILE = "evaluation.json"
LOG_FILE = "eval.log"
PROGRESS_FILE = "progress.json"
RESULT_FILE = "result.json"
EVALUATIONS_DIR = "evaluations"


def write_json(path: Path, value) -> None:
    """Replace `path` atomically, so a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(value, indent=1))
    os.replace(temporary, path)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
