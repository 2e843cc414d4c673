"""Live log tail over child jobs (Range reads of SAS URLs) and MLflow metrics."""

from __future__ import annotations

import pytest

from tests.azure import payloads as p
from tests.azure.fake_azure import FakeCredential, token_claims

FINETUNE_LOG = "user_logs/std_log.txt"


@pytest.fixture
def running_job(workspace):
    """ft-1 -> chat_completion_pipeline node -> preprocess + finetune steps with logs."""
    workspace.add_job(p.command_job("ft-1", "Phi-4-ultrachat", status="Running"))
    workspace.add_step("ft-1", "ft-1", "ft-1-node", "chat_completion_pipeline")
    workspace.add_step(
        "ft-1-node",
        "ft-1",
        "ft-1-preprocess",
        "preprocess",
        logs={FINETUNE_LOG: b"tokenizing 23110 rows\n"},
    )
    workspace.add_step(
        "ft-1-node",
        "ft-1",
        "ft-1-finetune",
        "finetune",
        logs={
            FINETUNE_LOG: b"step 1 loss 2.31\n",
            "system_logs/lifecycler/execution-wrapper.log": b"started\n",
        },
    )
    return workspace


def blob_path(step: str, name: str = FINETUNE_LOG) -> str:
    return f"/azureml/ExperimentRun/dcid.{step}/{name}"


def test_first_read_walks_children_and_reads_every_log(backend, running_job, fake):
    chunk = backend.read_logs("ft-1")

    assert "==> finetune/user_logs/std_log.txt <==\nstep 1 loss 2.31\n" in chunk.text
    assert "==> preprocess/user_logs/std_log.txt <==\ntokenizing 23110 rows\n" in chunk.text
    assert "started\n" in chunk.text
    assert chunk.offsets["ft-1-finetune/" + FINETUNE_LOG] == len(b"step 1 loss 2.31\n")
    # children listed recursively through run history, log URLs from each step's details
    assert fake.sent("GET", r"/history/v1\.0/.*/runs/ft-1/children$")
    assert fake.sent("GET", r"/history/v1\.0/.*/runs/ft-1-node/children$")
    assert fake.sent("GET", r"/runs/ft-1-finetune/details$")
    first = fake.sent("GET", r"dcid\.ft-1-finetune/user_logs/std_log\.txt$")[-1]
    assert first.headers["Range"] == "bytes=0-"


def test_steps_are_read_from_run_history_not_as_arm_jobs(backend, running_job, fake):
    chunk = backend.read_logs("ft-1")

    assert "step 1 loss 2.31" in chunk.text
    # ARM answers a step without properties; nothing may depend on reading one
    assert not fake.sent("GET", r"/workspaces/ws-studio/jobs/ft-1-(node|finetune|preprocess)$")


def test_next_read_fetches_only_new_bytes(backend, running_job, fake):
    chunk = backend.read_logs("ft-1")
    old = running_job.blobs[blob_path("ft-1-finetune")]
    running_job.blobs[blob_path("ft-1-finetune")] = old + b"step 2 loss 2.05\n"

    chunk = backend.read_logs("ft-1", chunk.offsets)

    assert chunk.text == "==> finetune/user_logs/std_log.txt <==\nstep 2 loss 2.05\n"
    read = fake.sent("GET", r"dcid\.ft-1-finetune/user_logs/std_log\.txt$")[-1]
    assert read.headers["Range"] == f"bytes={len(old)}-"
    assert chunk.offsets["ft-1-finetune/" + FINETUNE_LOG] == len(old) + len(b"step 2 loss 2.05\n")


def test_nothing_new_is_empty(backend, running_job):
    chunk = backend.read_logs("ft-1")

    again = backend.read_logs("ft-1", chunk.offsets)

    assert again.text == ""
    assert again.offsets == chunk.offsets


def test_a_character_cut_at_the_end_waits_for_its_other_half(backend, running_job):
    chunk = backend.read_logs("ft-1")
    path = blob_path("ft-1-finetune")
    base = running_job.blobs[path]
    accented = "déjà vu\n".encode()
    running_job.blobs[path] = base + accented[:2]  # "d" + first byte of "é"

    half = backend.read_logs("ft-1", chunk.offsets)
    running_job.blobs[path] = base + accented
    rest = backend.read_logs("ft-1", half.offsets)

    assert half.text == "==> finetune/user_logs/std_log.txt <==\nd\n"
    assert rest.text.endswith("éjà vu\n")


def test_queued_job_has_no_logs_yet(backend, workspace):
    workspace.add_job(p.command_job("ft-2", "queued one", status="Queued"))

    assert backend.read_logs("ft-2").text == ""


RUN_ID = "ft-metrics"  # in Azure ML the root run id is the pipeline job's name


def test_metrics_from_the_workspace_mlflow_root_run(backend, workspace, fake):
    workspace.log_metrics(
        RUN_ID,
        ("loss", 2.3, 1, 1),
        ("loss", 1.9, 2, 2),
        ("learning_rate", 5e-6, 3, 1),
        ("grad_norm", 1.5, 4, 1),
        ("epoch", 0.5, 5, 1),
        ("eval_loss", 2.0, 6, 2),
        ("train_loss", 2.1, 7, 2),
        ("train_runtime", 812.0, 8, 2),
    )
    workspace.add_job(p.command_job(RUN_ID, "ft", status="Completed"))

    histories = backend.get_metrics(RUN_ID)

    assert histories["loss"] == [(1, 2.3), (2, 1.9)]
    assert histories["eval_loss"] == [(2, 2.0)]
    for key in ("learning_rate", "grad_norm", "epoch", "train_loss", "train_runtime"):
        assert key in histories
    # read through azureml-mlflow at the workspace's azureml:// tracking URI
    history = fake.sent("GET", r"/mlflow/v2\.0/subscriptions/.*/mlflow/metrics/get-history$")
    assert history[0].url.startswith(f"https://{p.LOCATION}.api.azureml.ms/")
    assert {r.query["metric_key"][0] for r in history} >= {"loss", "eval_loss"}


def test_metrics_of_a_run_not_in_mlflow_yet(backend):
    assert backend.get_metrics("0123456789abcdef0123456789abcdef") == {}


def test_metrics_after_reconnecting_are_read_with_the_new_credential(connect, workspace, fake):
    workspace.log_metrics(RUN_ID, ("loss", 2.3, 1, 1))
    first, second = FakeCredential(oid="first-account"), FakeCredential(oid="second-account")

    connect(credential=first).get_metrics(RUN_ID)
    reconnected = connect(credential=second).get_metrics(RUN_ID)

    runs_get = fake.sent("GET", r"/api/2\.0/mlflow/runs/get$")
    assert token_claims(runs_get[0].headers["Authorization"])["oid"] == "first-account"
    assert token_claims(runs_get[-1].headers["Authorization"])["oid"] == "second-account"
    assert reconnected == {"loss": [(1, 2.3)]}
