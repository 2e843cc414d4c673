"""services.tracking reads a real local MLflow store."""

from mlflow.entities import Metric

from services import config, tracking


def _run_with_metrics(client):
    experiment = tracking.ensure_experiment(
        client, "chat_completion_x", config.mlflow_artifact_root()
    )
    run = client.create_run(experiment, run_name="r")
    metrics = [
        Metric("loss", 2.0, 1000, 1),
        Metric("loss", 1.5, 1001, 2),
        Metric("epoch", 0.5, 1002, 2),
        Metric("epoch", 0.6, 1003, 2),  # a second value at one step: the later one wins
        Metric("eval_loss", 2.5, 1004, 0),
    ]
    client.log_batch(run.info.run_id, metrics=metrics)
    client.log_param(run.info.run_id, "learning_rate", "0.0002")
    return run.info.run_id


def test_metric_histories_sorted_by_step_last_value_wins():
    client = tracking.local_client()
    run_id = _run_with_metrics(client)
    histories = tracking.metric_histories(client, run_id)
    assert histories == {
        "epoch": [(2, 0.6)],
        "eval_loss": [(0, 2.5)],
        "loss": [(1, 2.0), (2, 1.5)],
    }
    assert tracking.metric_histories(client, run_id, ["loss"]) == {"loss": [(1, 2.0), (2, 1.5)]}


def test_experiment_artifacts_live_under_studio_home(studio_home):
    client = tracking.local_client()
    experiment_id = tracking.ensure_experiment(
        client, "chat_completion_x", config.mlflow_artifact_root()
    )
    assert tracking.ensure_experiment(client, "chat_completion_x") == experiment_id
    location = client.get_experiment(experiment_id).artifact_location
    assert str(studio_home) in location


def test_params_and_status_mapping():
    client = tracking.local_client()
    run_id = _run_with_metrics(client)
    assert tracking.run_params(client, run_id) == {"learning_rate": "0.0002"}
    assert tracking.job_status("RUNNING") == "running"
    assert tracking.job_status("KILLED") == "killed"
    assert tracking.job_status("SCHEDULED") == "queued"
