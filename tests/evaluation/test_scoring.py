"""Held-out loss scores both models on the same tokens, also after a generation pass."""

import pytest

from services import config
from services.evaluation import scoring
from services.evaluation.rows import EvalRow
from services.training import job_record

pytest.importorskip("torch")


def test_generating_does_not_change_how_the_next_loss_pass_cuts_long_rows(finished_job):
    job_dir = config.jobs_dir() / finished_job
    models = scoring.Models(job_dir, job_record.load(job_dir).model_id, "cpu")
    long_prompt = " ".join(f"word{i}" for i in range(400))  # far beyond max_seq_length
    rows = [
        EvalRow(0, [{"role": "user", "content": "Hi"}], "Hello there, how can I help?"),
        EvalRow(1, [{"role": "user", "content": long_prompt}], "A short answer."),
        EvalRow(2, [{"role": "user", "content": "Two words?"}], "Yes, " * 100),
    ]
    loss_pass = lambda: scoring.assistant_losses(models, "base", rows, 64, 2, lambda n: None)  # noqa: E731
    before = loss_pass()
    scoring.generate(models, "base", rows, scoring.Sampling(max_new_tokens=2), 64, 2, lambda n: 0)
    assert loss_pass() == before
    assert before[1] == (0.0, 0)  # the long row's reply lies beyond the cut: nothing to score
