"""Register, deploy, list, delete and scoring_target through the real SDK."""

from __future__ import annotations

import pytest

from services.errors import EndpointError, JobError, ValidationError
from tests.azure import payloads as p

BASE_ID = "azureml://registries/azureml/models/Phi-4-mini-instruct/versions/3"


@pytest.fixture
def finished_azure_job(workspace):
    job = p.command_job("ft-done", "Phi-4-mini-instruct-ultrachat-bs4", status="Completed")
    job["properties"]["tags"] = {"studio.model": "Phi-4-mini-instruct", "studio.model_id": BASE_ID}
    workspace.add_job(job)
    workspace.add_model(
        "Phi-4-mini-instruct",
        "3",
        tags={"inference_compute_allow_list": "['Standard_NC6s_v3', 'Standard_NC24ads_A100_v4']"},
    )
    return "ft-done"


@pytest.fixture
def registered(backend, finished_azure_job):
    return backend.register_model(finished_azure_job)


def test_register_sends_the_job_output_as_mlflow_model(backend, fake, finished_azure_job):
    model = backend.register_model(finished_azure_job)

    put = fake.sent("PUT", r"/workspaces/ws-studio/models/[^/]+/versions/[^/]+$")[-1]
    props = put.json()["properties"]
    assert props["modelType"] == "mlflow_model"
    assert props["modelUri"] == "azureml://jobs/ft-done/outputs/trained_model"
    assert props["tags"]["studio.job"] == "ft-done"
    assert model.name == "Phi-4-mini-instruct-ultrachat-200k"
    assert model.version.isdigit()  # the guide's timestamp
    assert put.path.endswith(f"/models/{model.name}/versions/{model.version}")
    assert model.source_job == "ft-done"


def test_register_with_a_given_name(backend, finished_azure_job):
    assert backend.register_model(finished_azure_job, name="my/demo").name == "my-demo"


def test_register_refuses_an_unfinished_job(backend, workspace, fake):
    workspace.add_job(p.command_job("ft-run", "x", status="Running"))

    with pytest.raises(JobError, match="only a finished job"):
        backend.register_model("ft-run")
    assert not fake.sent("PUT", r"/models/")


def test_list_registered_models(backend, registered):
    listed = backend.list_registered_models()

    assert [(m.name, m.version) for m in listed] == [(registered.name, registered.version)]


def test_deploy_creates_endpoint_deployment_and_traffic(backend, fake, registered):
    progress: list[str] = []

    info = backend.deploy(
        registered.name,
        registered.version,
        endpoint_name="ultrachat-1",
        on_progress=progress.append,
    )

    endpoint_puts = fake.sent("PUT", r"/onlineEndpoints/ultrachat-1$")
    assert len(endpoint_puts) == 2  # create, then route traffic
    assert endpoint_puts[0].json()["properties"]["authMode"] == "Key"
    assert endpoint_puts[-1].json()["properties"]["traffic"] == {"demo": 100}
    deployment = fake.sent("PUT", r"/onlineEndpoints/ultrachat-1/deployments/demo$")[-1]
    props = deployment.json()["properties"]
    assert props["instanceType"] == "Standard_NC6s_v3"
    assert props["livenessProbe"]["initialDelay"] == "PT10M"  # 600 s
    assert props["requestSettings"]["requestTimeout"] == "PT1M30S"  # 90 000 ms
    assert props["model"].endswith(f"/models/{registered.name}/versions/{registered.version}")
    assert info.status == "running"
    assert info.deployment == "demo"
    assert info.scoring_uri == "https://ultrachat-1.eastus.inference.ml.azure.com/score"
    assert info.model_name == registered.name and info.model_version == registered.version
    assert info.hourly_price == pytest.approx(3.06)
    assert progress[-1] == "Endpoint ultrachat-1 is ready."
    assert any("Creating deployment demo" in line for line in progress)


def test_deploy_refuses_instance_type_outside_inference_allow_list(backend, fake, registered):
    with pytest.raises(ValidationError, match="allow-listed computes for inference") as error:
        backend.deploy(registered.name, registered.version, instance_type="Standard_DS3_v2")

    assert "Standard_NC24ads_A100_v4" in error.value.hint
    assert not fake.sent("PUT", r"/onlineEndpoints/")


def test_deploy_allow_list_is_case_insensitive(backend, registered):
    info = backend.deploy(
        registered.name,
        registered.version,
        endpoint_name="ultrachat-2",
        instance_type="standard_nc24ADS_a100_v4",
    )

    assert info.status == "running"


def test_failed_deployment_surfaces_its_logs(backend, workspace, fake, registered):
    workspace.deployment_state = "Failed"
    workspace.deployment_log = "ERROR: CUDA out of memory while loading the model\n"

    with pytest.raises(EndpointError) as error:
        backend.deploy(registered.name, registered.version, endpoint_name="ultrachat-3")

    assert "Deployment 'demo'" in error.value.message
    assert "CUDA out of memory" in error.value.hint
    logs_request = fake.sent("POST", r"/deployments/demo/getLogs$")[-1]
    assert logs_request.json()["tail"] == 50


def test_list_and_delete_endpoint(backend, fake, registered):
    backend.deploy(registered.name, registered.version, endpoint_name="ultrachat-4")

    listed = backend.list_endpoints()
    backend.delete_endpoint("ultrachat-4")

    assert [(e.name, e.backend, e.status) for e in listed] == [("ultrachat-4", "azure", "running")]
    assert listed[0].hourly_price == pytest.approx(3.06)
    assert fake.sent("DELETE", r"/onlineEndpoints/ultrachat-4$")
    assert backend.list_endpoints() == []


def test_scoring_target(backend, fake, registered):
    backend.deploy(registered.name, registered.version, endpoint_name="ultrachat-5")

    target = backend.scoring_target("ultrachat-5")

    assert target.scoring_uri == "https://ultrachat-5.eastus.inference.ml.azure.com/score"
    assert target.key == "primary-key-of-ultrachat-5"
    assert target.headers == {"azureml-model-deployment": "demo"}
    assert fake.sent("POST", r"/onlineEndpoints/ultrachat-5/listKeys$")


def test_scoring_target_of_a_missing_endpoint(backend):
    with pytest.raises(EndpointError, match="Cannot read endpoint"):
        backend.scoring_target("gone")


def test_scoring_target_of_an_aml_token_endpoint_carries_its_token(backend, workspace, fake):
    workspace.add_endpoint("made-in-studio", auth_mode="AMLToken", deployment="blue")

    target = backend.scoring_target("made-in-studio")

    assert target.key == "aml-token-of-made-in-studio"
    assert target.headers == {"azureml-model-deployment": "blue"}
    assert fake.sent("POST", r"/onlineEndpoints/made-in-studio/token$")
    assert not fake.sent("POST", r"/onlineEndpoints/made-in-studio/listKeys$")


def test_scoring_target_of_an_aad_token_endpoint_signs_in_for_azure_ml(connect, workspace):
    from tests.azure.fake_azure import FakeCredential

    credential = FakeCredential()
    workspace.add_endpoint("entra-only", auth_mode="AADToken")

    target = connect(credential=credential).scoring_target("entra-only")

    assert credential.scopes[-1] == "https://ml.azure.com/.default"
    assert target.key.count(".") == 2  # a JWT for the Azure ML audience
    assert target.key != ""


def test_endpoint_and_deployment_operations_are_polled_to_their_end(backend, fake, registered):
    backend.deploy(registered.name, registered.version, endpoint_name="ultrachat-6")
    polls_after_deploy = len(fake.sent("GET", r"/mfeOperation(sStatus|Results)/"))

    backend.delete_endpoint("ultrachat-6")

    # endpoint create, deployment create and traffic update: each polled past InProgress
    assert polls_after_deploy >= 6
    # the delete answered 202 and was polled until the endpoint was gone
    assert len(fake.sent("GET", r"/mfeOperation(sStatus|Results)/")) >= polls_after_deploy + 2
    assert backend.list_endpoints() == []


def test_chat_with_an_aml_token_endpoint_sends_its_token_as_bearer(backend, workspace, fake):
    from services.chat.client import ChatCall
    from tests.azure.fake_azure import Reply

    workspace.add_endpoint("token-chat", auth_mode="AMLToken", deployment="blue")

    def score(request, match):
        if request.headers.get("Authorization") != "Bearer aml-token-of-token-chat":
            return Reply(401, {"message": "Invalid token"})
        return {"output": "Hello from blue"}

    fake.on("POST", r"token-chat\.eastus\.inference\.ml\.azure\.com/score$", score)

    reply = ChatCall(
        backend.scoring_target("token-chat"),
        [{"role": "user", "content": "Hi"}],
        {"max_new_tokens": 8},
    ).run()

    assert reply.text == "Hello from blue"
    sent = fake.sent("POST", r"/score$")[-1]
    assert sent.headers["azureml-model-deployment"] == "blue"
