"""Pipeline submission, status, cancel and parameters through the real SDK."""

from __future__ import annotations

import pytest

from services.backends.azure.jobs import map_status
from services.backends.base import JobSpec
from services.errors import JobError
from services.params import resolve_params
from tests.azure import payloads as p

MODEL_ID = "azureml://registries/azureml/models/Phi-4-mini-instruct/versions/3"
PARAMS = {
    "num_train_epochs": 3,
    "per_device_train_batch_size": 1,
    "per_device_eval_batch_size": 1,
    "learning_rate": 5e-6,
    "lr_scheduler_type": "cosine",
    "apply_lora": "true",
    "apply_deepspeed": "true",
    "deepspeed_stage": 2,
    "learning_rate_min": 1e-7,  # a model tag the component does not accept
    "learning_rate_max": 1e-4,
    "number_of_gpu_to_use_finetuning": 8,  # set by the submission, never by a parameter
}


@pytest.fixture
def data_files(tmp_path):
    train = tmp_path / "train_sft.jsonl"
    test = tmp_path / "test_sft.jsonl"
    row = '{"prompt": "hi", "prompt_id": "1", "messages": [{"content": "hi", "role": "user"}]}\n'
    train.write_text(row * 3)
    test.write_text(row)
    return train, test


def spec(train, test, **overrides) -> JobSpec:
    values = {
        "model_id": MODEL_ID,
        "train_file": str(train),
        "test_file": str(test),
        "compute": "a100",
        "gpus": 4,
        "params": PARAMS,
        "display_name": "Phi-4-mini-instruct-ultrachat-bs4-cosine-ds2-lora-save_limit-1-seqlen-1",
    }
    values.update(overrides)
    return JobSpec(**values)


def test_submit_sends_the_guides_pipeline(backend, fake, data_files):
    train, test = data_files

    job = backend.submit_job(spec(train, test))

    put = fake.sent("PUT", r"/workspaces/ws-studio/jobs/[^/]+$")[-1]
    body = put.json()["properties"]
    assert body["jobType"] == "Pipeline"
    assert body["experimentName"] == "chat_completion_Phi-4-mini-instruct"
    assert body["displayName"].startswith("Phi-4-mini-instruct-ultrachat-bs4")
    assert body["settings"]["force_rerun"] is True
    assert body["settings"]["continue_on_step_failure"] is False
    assert body["outputs"]["trained_model"]["jobOutputType"] == "mlflow_model"
    assert body["tags"]["studio.model"] == "Phi-4-mini-instruct"
    (node,) = body["jobs"].values()
    assert node["componentId"] == (
        "azureml://registries/azureml/components/chat_completion_pipeline/versions/0.0.65"
    )
    inputs = node["inputs"]
    assert inputs["mlflow_model_path"]["uri"] == MODEL_ID
    for stage in ("model_import", "preprocess", "finetune", "model_evaluation"):
        assert inputs[f"compute_{stage}"]["value"] == "a100"
    assert inputs["number_of_gpu_to_use_finetuning"]["value"] == "4"
    assert inputs["train_file_path"]["job_input_type"] == "uri_file"
    assert inputs["train_file_path"]["uri"].endswith("/train_sft.jsonl")
    assert inputs["test_file_path"]["uri"].endswith("/test_sft.jsonl")
    assert inputs["learning_rate"]["value"] == "5e-06"
    assert inputs["apply_lora"]["value"] == "true"
    assert inputs["deepspeed_stage"]["value"] == "2"
    assert "learning_rate_min" not in inputs and "learning_rate_max" not in inputs
    assert node["outputs"]["mlflow_model_folder"]["value"] == "${{parent.outputs.trained_model}}"
    # the training file was uploaded to the workspace's blob store before the submission
    uploads = fake.sent("PUT", r"\.blob\.core\.windows\.net/.*/train_sft\.jsonl$")
    assert uploads and uploads[0].body.startswith(b'{"prompt"')
    assert job.status == "queued"
    assert job.id == put.path.rsplit("/", 1)[-1]
    assert job.studio_url.startswith("https://ml.azure.com/runs/" + job.id)


def test_typed_booleans_reach_the_component_as_its_true_false_strings(backend, fake, data_files):
    train, test = data_files
    typed = resolve_params(backend="azure", model_name="Phi-4-mini-instruct", gpus=4)
    values = {**typed.values, "apply_deepspeed": False}
    assert values["apply_lora"] is True  # typed inside the program

    backend.submit_job(spec(train, test, params=values))

    (node,) = fake.sent("PUT", r"/jobs/[^/]+$")[-1].json()["properties"]["jobs"].values()
    assert node["inputs"]["apply_lora"]["value"] == "true"
    assert node["inputs"]["apply_deepspeed"]["value"] == "false"
    assert node["inputs"]["deepspeed_stage"]["value"] == "2"


def test_remote_data_is_not_uploaded(backend, fake):
    uri = "azureml://datastores/workspaceblobstore/paths/ultrachat/train_sft.jsonl"

    backend.submit_job(spec(uri, uri.replace("train", "test")))

    body = fake.sent("PUT", r"/jobs/[^/]+$")[-1].json()["properties"]
    (node,) = body["jobs"].values()
    assert node["inputs"]["train_file_path"]["uri"] == uri
    assert not fake.sent("PUT", r"\.blob\.core\.windows\.net/")


def test_filter_params_keeps_component_inputs(backend):
    accepted, dropped = backend.filter_params(PARAMS)

    assert accepted["deepspeed_stage"] == "2"  # the component declares a string
    assert accepted["num_train_epochs"] == 3
    assert dropped == ["learning_rate_max", "learning_rate_min", "number_of_gpu_to_use_finetuning"]


def test_submit_refuses_cpu(backend, data_files):
    with pytest.raises(JobError, match="GPU"):
        backend.submit_job(spec(*data_files, gpus=0))


@pytest.mark.parametrize(
    ("azure", "ours"),
    [
        ("NotStarted", "queued"),
        ("Starting", "queued"),
        ("Provisioning", "queued"),
        ("Preparing", "queued"),
        ("Queued", "queued"),
        ("Running", "running"),
        ("Finalizing", "running"),
        ("CancelRequested", "running"),
        ("Completed", "finished"),
        ("Failed", "failed"),
        ("NotResponding", "failed"),
        ("Canceled", "killed"),
        ("Paused", "killed"),
        ("Unknown", "queued"),
    ],
)
def test_status_mapping_through_jobs_get(backend, workspace, azure, ours):
    workspace.add_job(p.command_job("ft-job-1", "fine-tune", status=azure))

    job = backend.get_job("ft-job-1")

    assert map_status(azure) == ours
    assert job.status == ours
    assert job.studio_url.startswith(p.studio_url("ft-job-1"))
    assert bool(job.error) == (ours == "failed")


def test_list_jobs_shows_pipelines(backend, fake, data_files):
    submitted = backend.submit_job(spec(*data_files))

    jobs = backend.list_jobs()

    assert [j.id for j in jobs] == [submitted.id]
    assert jobs[0].model_id == MODEL_ID


def test_cancel_posts_cancel(backend, workspace, fake, data_files):
    job = backend.submit_job(spec(*data_files))

    backend.cancel_job(job.id)

    assert fake.sent("POST", rf"/jobs/{job.id}/cancel$")
    assert backend.get_job(job.id).status == "running"  # CancelRequested until Azure confirms
    workspace.set_status(job.id, "Canceled")
    assert backend.get_job(job.id).status == "killed"


def test_cancel_returns_without_waiting_for_azure_to_stop_the_job(backend, workspace, fake):
    workspace.add_job(p.command_job("ft-long", "x", status="Running"))

    backend.cancel_job("ft-long")

    cancel = fake.sent("POST", r"/jobs/ft-long/cancel$")
    assert len(cancel) == 1
    assert not fake.sent("GET", r"/mfeOperationResults/")  # the 202's Location is not polled
    assert workspace.jobs["ft-long"]["properties"]["status"] == "CancelRequested"
    assert backend.get_job("ft-long").status == "running"


def test_unknown_job(backend):
    with pytest.raises(JobError, match="does not exist"):
        backend.get_job("nope")


def test_params_of_a_submitted_job(backend, data_files):
    job = backend.submit_job(spec(*data_files))

    params = backend.get_params(job.id)

    assert params["learning_rate"] == "5e-06"
    assert params["compute_finetune"] == "a100"


def test_a_throttled_job_listing_says_when_to_retry(backend, fake):
    from services.errors import AzureError
    from tests.azure.fake_azure import Reply

    throttled = {"error": {"code": "TooManyRequests", "message": "Rate limit exceeded"}}
    fake.on("GET", r"/workspaces/ws-studio/jobs$", Reply(429, throttled, {"Retry-After": "30"}))

    with pytest.raises(AzureError) as error:
        backend.list_jobs()

    assert "429" in error.value.message
    assert "after 30 s" in error.value.hint
