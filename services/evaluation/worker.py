"""`python -m services.evaluation.worker <evaluation_dir>`: one evaluation, start to end.

Started detached by services.evaluation.evaluations, stdout/stderr to eval.log. It loads the
base and tuned models itself (no endpoint needed; the comparator may be another job's weights,
or an endpoint asked row by row), scores held-out loss on every row, generates both models'
replies in batches, has a judge (when the record names one) rate each pair, writes result.json
and logs metrics, the per-example table and the log to the evaluation's MLflow run (created by
the parent). The run ends FINISHED,
FAILED (with the reason in the studio.error tag) or KILLED (SIGTERM: cancel).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

from services.config import offline_env
from services.evaluation.layout import LOG_FILE, PROGRESS_FILE, RECORD_FILE, RESULT_FILE, write_json
from services.training.layout import CHECKPOINTS_DIR, say

# Set once SIGTERM arrives: library code may wrap the exception raised from the handler, so
# the flag, not the exception type, says whether the evaluation was cancelled.
_cancelled = False


class Cancelled(Exception):
    """SIGTERM arrived: the user cancelled the evaluation."""


def _on_sigterm(signum, frame):
    global _cancelled
    _cancelled = True
    raise Cancelled()


class ProgressFile:
    def __init__(self, folder: Path, total: int) -> None:
        self.folder, self.total, self.done, self.stage = folder, total, 0, "loading models"
        self.write()

    def start(self, stage: str) -> None:
        self.stage = stage
        say(stage)
        self.write()

    def advance(self, count: int) -> None:
        self.done += count
        self.write()

    def write(self) -> None:
        values = {"stage": self.stage, "done": self.done, "total": self.total}
        write_json(self.folder / PROGRESS_FILE, {**values, "updated_at": time.time()})


def evaluate(folder: Path, record: dict) -> dict:
    """Score both models on the record's rows; the result (scorecard + table) as a dict."""
    from services.evaluation import remote
    from services.evaluation.per_example import example_rows
    from services.evaluation.rows import select_rows
    from services.evaluation.scorecard import Reply, build_scorecard
    from services.training import job_record
    from services.training.settings import settings_from_params

    job_dir = folder.parents[1]
    job = job_record.load(job_dir)  # UnreadableRecord names the file and what to do
    spec = job.spec
    settings = settings_from_params(spec.get("params") or {})
    rows = select_rows(record["test_file"], record["rows"], record["seed"])
    comparator = record.get("comparator_spec") or {"kind": "base"}
    endpoint = remote.from_record(comparator.get("remote"), "comparator")
    judge = remote.from_record(record.get("judge"), "judge")
    steps = (2 if endpoint else 4) + (1 if judge else 0)
    progress = ProgressFile(folder, total=steps * len(rows))

    import torch

    from services.evaluation import scoring

    device = "cuda" if torch.cuda.is_available() else "cpu"
    step = record.get("checkpoint_step")
    checkpoint = None if step is None else job_dir / CHECKPOINTS_DIR / f"checkpoint-{step}"
    other_job = job_dir.parent / comparator["job_id"] if comparator["kind"] == "model" else None
    models = scoring.Models(job_dir, job.model_id, device, other_job, checkpoint=checkpoint)
    say(f"models loaded on {device}; {len(rows)} rows")
    sampling = scoring.Sampling(**record["sampling"])
    batch, length = record["batch_size"], settings.max_seq_length
    replies = {}
    for which in ("base", "tuned"):
        started = time.monotonic()
        if which == "base" and endpoint is not None:
            progress.start(f"asking {endpoint.label}")
            replies[which] = _endpoint_replies(endpoint, rows, sampling, models, progress)
        else:
            progress.start(f"held-out loss: {which}")
            losses = scoring.assistant_losses(models, which, rows, length, batch, progress.advance)
            progress.start(f"generating: {which}")
            generated = scoring.generate(
                models, which, rows, sampling, length, batch, progress.advance
            )
            replies[which] = [
                Reply(g.text, g.new_tokens, g.cut_off, loss, tokens)
                for g, (loss, tokens) in zip(generated, losses, strict=True)
            ]
        say(f"{which}: {len(rows)} replies in {time.monotonic() - started:.1f} s")
    references = [row.reference for row in rows]
    card = build_scorecard(replies["base"], replies["tuned"], references, record["comparator"])
    scorecard = dataclasses.asdict(card)
    table = example_rows(rows, replies["base"], replies["tuned"])
    examples = [dataclasses.asdict(example) for example in table]
    if judge is not None:
        from services.evaluation.judge import judge_examples
        from services.evaluation.scorecard import with_judge

        progress.start(f"judging with {judge.label}")
        tally, outcomes = judge_examples(judge, examples, progress.advance)
        for example, outcome in zip(examples, outcomes, strict=True):
            example["judge"] = outcome
        scorecard = with_judge(scorecard, tally)
    say(scorecard["verdict"])
    return {"scorecard": scorecard, "examples": examples}


def _endpoint_replies(endpoint, rows, sampling, models, progress: ProgressFile) -> list:
    """A comparator endpoint's replies (no perplexity: an endpoint returns text, not token
    scores), counted with the tuned model's tokenizer."""
    from services.evaluation.through_endpoints import endpoint_replies

    parameters = {
        "max_new_tokens": sampling.max_new_tokens,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "do_sample": sampling.temperature > 0,
    }

    def count(text: str) -> int:
        return len(models.tokenizer(text, add_special_tokens=False)["input_ids"])

    return endpoint_replies(endpoint, rows, parameters, count, progress.advance)


def _log_result(client, run_id: str, folder: Path, result: dict) -> None:
    from mlflow.entities import Metric

    from services.evaluation import run_contents

    now = int(time.time() * 1000)
    figures = run_contents.scorecard_metrics(result["scorecard"])
    client.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in figures.items()])
    client.set_tag(run_id, "studio.verdict", result["scorecard"]["verdict"])
    client.log_table(
        run_id,
        data=run_contents.table_columns(result["examples"]),
        artifact_file=run_contents.TABLE_FILE,
    )
    client.log_artifact(run_id, str(folder / RESULT_FILE))


def main(argv: list[str] | None = None) -> int:
    folder = Path((sys.argv[1:] if argv is None else argv)[0]).resolve()
    record = json.loads((folder / RECORD_FILE).read_text())
    os.environ.update(offline_env())
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    signal.signal(signal.SIGTERM, _on_sigterm)
    say(f"evaluation worker {os.getpid()} for {record['id']} of job {record['job_id']}")

    from services import tracking

    client = tracking.local_client()
    run_id = record["run_id"]
    client.update_run(run_id, status="RUNNING")
    with tracking.worker_run(run_id, folder / LOG_FILE, lambda: _cancelled, say) as run:
        result = evaluate(folder, record)
        write_json(folder / RESULT_FILE, result)
        _log_result(client, run_id, folder, result)
        say("evaluation finished")
    return run.code


if __name__ == "__main__":
    sys.exit(main())
