"""What an evaluation folder holds: <jobs_dir>/<job_id>/evaluations/<evaluation_id>/...

evaluation.json  the record (id, job, run id, rows, seed, sampling, pid); written by the parent
eval.log         the worker's stdout and stderr
progress.json    stage, done, total; rewritten by the worker as it goes
result.json      the scorecard and the per-example table, once the worker has finished
"""

from __future__ import annotations

# Read and written with the studio's one helper; named here for the evaluation modules.
from services.atomic_files import read_json as read_json
from services.atomic_files import write_json as write_json

RECORD_FILE = "evaluation.json"
LOG_FILE = "eval.log"
PROGRESS_FILE = "progress.json"
RESULT_FILE = "result.json"
EVALUATIONS_DIR = "evaluations"
