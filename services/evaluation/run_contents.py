"""What an evaluation records in its MLflow run, the same on both backends.

The local worker (services.evaluation.worker) logs to the local store with MlflowClient; an
Azure evaluation (services.evaluation.azure_runs) logs to the workspace's store. Both take
their metric names and the per-example table's file from here, so an evaluation reads the
same in the MLflow UI whichever backend ran it: base_rouge_l, tuned_chrf, improved,
judge_wins, ... and per_example.json in the format (and with the tag) mlflow.log_table writes.
"""

from __future__ import annotations

import json
from pathlib import Path

TABLE_FILE = "per_example.json"
# The tag mlflow.log_table sets so the MLflow UI lists the file as a table
# (mlflow.utils.mlflow_tags.MLFLOW_LOGGED_ARTIFACTS).
LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts"


def scorecard_metrics(card: dict) -> dict[str, float]:
    """The scorecard's figures as MLflow metrics: each model's figures, whether the tuned one
    improved, and the judge's tally with its 95% interval when a judge ran."""
    figures = {
        f"{which}_{name}": float(value)
        for which in ("base", "tuned")
        for name, value in card[which].items()
        if value is not None  # an endpoint has no perplexity
    }
    figures["improved"] = float(card["improved"])
    judge = card.get("judge")
    if judge:
        low, high = judge["win_interval_95"]
        for key in ("wins", "ties", "losses", "win_share"):
            figures[f"judge_{key}"] = float(judge[key])
        figures.update(judge_win_ci95_low=float(low), judge_win_ci95_high=float(high))
    return figures


def table_columns(examples: list[dict]) -> dict[str, list]:
    """The per-example rows as the columns MlflowClient.log_table takes."""
    return {key: [example[key] for example in examples] for key in examples[0]}


def write_table(examples: list[dict], path: Path) -> None:
    """The file MlflowClient.log_table writes for these rows (pandas, split orient), for a store
    whose artifacts MlflowClient cannot reach (the Azure workspace's: see azure_runs)."""
    import pandas as pd

    frame = pd.DataFrame(table_columns(examples))
    frame.to_json(path, orient="split", index=False, date_format="iso")


def logged_table_tag() -> str:
    """The LOGGED_ARTIFACTS_TAG value mlflow.log_table sets on a run whose only table is this."""
    return json.dumps([{"path": TABLE_FILE, "type": "table"}])
