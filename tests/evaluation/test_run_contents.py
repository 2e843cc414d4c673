"""What an evaluation records in its MLflow run is the same on both backends
(services.evaluation.run_contents): the Azure path writes the per-example table itself, so it
must write what MlflowClient.log_table writes for the local worker."""

from __future__ import annotations

import json
from pathlib import Path

from services import tracking
from services.evaluation import run_contents

EXAMPLES = [
    {"row": 3, "prompt": "Capital of France?", "tuned_reply": "Paris.", "base_loss": None},
    {"row": 7, "prompt": "2 + 2?", "tuned_reply": "4, «exactly»", "base_loss": 1.25},
]


def test_the_table_file_is_the_one_log_table_writes_locally(tmp_path):
    client = tracking.local_client()
    experiment = tracking.ensure_experiment(client, "tables", tmp_path / "artifacts")
    run_id = client.create_run(experiment).info.run_id
    columns = run_contents.table_columns(EXAMPLES)
    client.log_table(run_id, data=columns, artifact_file=run_contents.TABLE_FILE)
    logged = client.download_artifacts(run_id, run_contents.TABLE_FILE, str(tmp_path))

    written = tmp_path / "written.json"
    run_contents.write_table(EXAMPLES, written)

    assert json.loads(written.read_text()) == json.loads(Path(logged).read_text())
    tags = client.get_run(run_id).data.tags
    assert tags[run_contents.LOGGED_ARTIFACTS_TAG] == run_contents.logged_table_tag()


def test_scorecard_metrics_name_both_models_and_the_judge():
    card = {
        "base": {"perplexity": None, "rouge_l": 0.25},
        "tuned": {"perplexity": 6.5, "rouge_l": 0.5},
        "improved": True,
        "judge": {
            "wins": 3,
            "ties": 1,
            "losses": 0,
            "win_share": 0.75,
            "win_interval_95": [0.3, 0.95],
        },
    }

    assert run_contents.scorecard_metrics(card) == {
        "base_rouge_l": 0.25,  # no base_perplexity: an endpoint gives none
        "tuned_perplexity": 6.5,
        "tuned_rouge_l": 0.5,
        "improved": 1.0,
        "judge_wins": 3.0,
        "judge_ties": 1.0,
        "judge_losses": 0.0,
        "judge_win_share": 0.75,
        "judge_win_ci95_low": 0.3,
        "judge_win_ci95_high": 0.95,
    }
