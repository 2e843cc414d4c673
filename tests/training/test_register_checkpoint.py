"""Register a kept checkpoint (not only the final model), deploy it and chat with it."""

from __future__ import annotations

import pytest

from services.backends.local import LocalBackend
from services.chat.client import ChatCall
from services.errors import ModelError
from services.evaluation import evaluations
from services.evaluation.errors import EvaluationError
from tests.training.test_cli import run_cli
from tests.training.tiny import wait_for


@pytest.mark.slow
def test_a_kept_checkpoint_registers_with_its_step_deploys_and_answers(finished_job, capsys):
    backend = LocalBackend()
    kept = backend.list_checkpoints(finished_job)
    assert [(c.step, c.usable) for c in kept] == [(6, True)]  # save_total_limit 1: the last

    code, registered = run_cli(
        capsys, "register", finished_job, "--name", "tiny-step", "--checkpoint", "6", "--json"
    )
    assert code == 0
    assert (registered["name"], registered["checkpoint_step"]) == ("tiny-step", 6)
    final = backend.register_model(finished_job, "tiny-final")
    listed = {v.name: v.checkpoint_step for v in backend.list_registered_models()}
    assert listed == {"tiny-step": 6, "tiny-final": None}
    assert final.checkpoint_step is None

    endpoint = backend.deploy("tiny-step", registered["version"])
    try:
        target = backend.scoring_target(endpoint.name)
        reply = ChatCall(
            target,
            [{"role": "user", "content": "Tell me about llamas."}],
            {"do_sample": False, "max_new_tokens": 8},
        ).run()
        assert reply.text.strip()
    finally:
        backend.delete_endpoint(endpoint.name)


def test_a_step_without_a_usable_checkpoint_is_refused(finished_job, capsys):
    with pytest.raises(ModelError, match="no usable checkpoint at step 3"):
        LocalBackend().register_model(finished_job, checkpoint=3)
    code, refused = run_cli(capsys, "register", finished_job, "--checkpoint", "3", "--json")
    assert code == 2 and "step 3" in refused["message"]


@pytest.mark.slow
def test_the_evaluation_scores_a_kept_checkpoint(finished_job):
    info = evaluations.start_evaluation(finished_job, checkpoint=6, rows=2, max_new_tokens=4)
    done = wait_for(
        lambda: (now := evaluations.get_evaluation(finished_job, info.id)).is_terminal and now,
        300,
        "the evaluation of the checkpoint",
    )
    assert done.status == "finished", done.error
    assert done.checkpoint_step == 6 and done.scorecard


def test_evaluating_a_checkpoint_the_job_did_not_keep_is_refused(finished_job):
    with pytest.raises(EvaluationError, match="no usable checkpoint at step 3"):
        evaluations.start_evaluation(finished_job, checkpoint=3)
