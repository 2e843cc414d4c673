"""Evaluation through endpoints on Azure, through the real azure-ai-ml SDK on the fake HTTP
layer: the base model deployed from the azureml registry as its own endpoint (offered with its
price), both deployments scored with the Chat page's client, the base endpoint deleted after."""

from __future__ import annotations

import json

import pytest

from services.errors import EndpointError, ValidationError
from services.evaluation import through_endpoints
from services.evaluation.errors import EvaluationError
from tests.azure import payloads as p
from tests.azure.fake_azure import Reply
from tests.training.tiny import conversations, write_jsonl

MODEL = "Phi-4-mini-instruct"
BASE_ID = f"azureml://registries/azureml/models/{MODEL}/versions/3"
ALLOWED = "['Standard_NC6s_v3', 'Standard_NC24ads_A100_v4']"
JOB = "ft-done"


@pytest.fixture
def tuned(backend, workspace):
    """A finished job with a logged eval_loss, registered and deployed as tuned-1."""
    workspace.add_model(MODEL, "3", tags={"inference_compute_allow_list": ALLOWED})
    job = p.command_job(JOB, f"{MODEL}-ultrachat", status="Completed")
    job["properties"]["tags"] = {"studio.model": MODEL, "studio.model_id": BASE_ID}
    workspace.add_job(job)
    workspace.log_metrics(JOB, ("eval_loss", 2.2, 1, 10), ("eval_loss", 1.8, 2, 20))
    registered = backend.register_model(JOB)
    backend.deploy(registered.name, registered.version, endpoint_name="tuned-1")
    return "tuned-1"


def answer(text: str, key: str, deployment: str = "demo"):
    """A scoring route: 401 without the endpoint's key or deployment header, else `text`."""

    def score(request, match):
        if request.headers.get("Authorization") != f"Bearer {key}":
            return Reply(401, {"message": "Invalid key"})
        if request.headers.get("azureml-model-deployment") != deployment:
            return Reply(404, {"message": "No deployment"})
        return {"output": text}

    return score


@pytest.fixture
def scoring(fake):
    fake.on(
        "POST",
        r"tuned-1\.eastus\.inference\.ml\.azure\.com/score$",
        answer("The capital of France is Paris.", "primary-key-of-tuned-1"),
    )

    def base(request, match):
        key = f"primary-key-of-{match.group(1)}"
        return answer("L'Etoile is the capital of France.", key)(request, match)

    fake.on("POST", r"(base-phi-4-mini-instr-\d+)\.eastus\.inference\.ml\.azure\.com/score$", base)
    return fake


@pytest.fixture
def test_file(tmp_path):
    return str(write_jsonl(tmp_path / "test_sft.jsonl", conversations(6)))


def test_the_offer_names_the_allowed_instance_type_and_its_price(backend, tuned):
    offer = backend.offer_base_deployment(BASE_ID)

    assert (offer.model_id, offer.instance_type) == (BASE_ID, "Standard_NC6s_v3")
    assert offer.hourly_price == pytest.approx(3.06)
    assert "$3.06/hour" in offer.describe() and "deletes it" in offer.describe()
    with pytest.raises(ValidationError, match="allow-listed computes for inference"):
        backend.offer_base_deployment(BASE_ID, "Standard_DS3_v2")


def test_evaluation_deploys_the_base_from_the_registry_scores_both_and_deletes_it(
    backend, tuned, scoring, test_file
):
    offer = backend.offer_base_deployment(BASE_ID)
    progress: list[str] = []

    result = through_endpoints.evaluate(
        backend, JOB, tuned, test_file, base_offer=offer, rows=3, on_progress=progress.append
    )

    deployment_puts = scoring.sent("PUT", r"/onlineEndpoints/base-[^/]+/deployments/demo$")
    assert len(deployment_puts) == 1
    assert deployment_puts[0].json()["properties"]["model"] == BASE_ID  # from the registry
    assert deployment_puts[0].json()["properties"]["instanceType"] == "Standard_NC6s_v3"
    base_name = result["base_endpoint_deleted"]
    assert base_name.startswith("base-phi-4-mini-instr-")
    # both deployments scored with their own key and deployment header (the Chat page's client)
    assert len(scoring.sent("POST", r"tuned-1\..*/score$")) == 1 + 3  # the check, then 3 rows
    base_calls = scoring.sent("POST", rf"{base_name}\..*/score$")
    assert len(base_calls) == 1 + 3
    sent = json.loads(base_calls[-1].body)
    assert sent["input_data"]["parameters"]["do_sample"] is False
    # cleaned up: deleted and polled away; the tuned endpoint stays
    assert scoring.sent("DELETE", rf"/onlineEndpoints/{base_name}$")
    assert [e.name for e in backend.list_endpoints()] == ["tuned-1"]
    assert any("bills by the hour" in line for line in progress)

    card = result["scorecard"]
    assert result["comparator"] == "base"
    assert card["base"]["perplexity"] is None and card["tuned"]["perplexity"] is None
    assert card["rows"] == 3
    assert "perplexity not measurable through an endpoint" in card["verdict"]
    held_out = card["held_out"]
    assert held_out["tuned_eval_loss"] == pytest.approx(1.8)  # the last logged eval_loss
    assert held_out["base"] is None and "cannot be had on Azure" in held_out["note"]
    assert {e["tuned_reply"] for e in result["examples"]} == {"The capital of France is Paris."}


def test_the_base_endpoint_is_deleted_even_when_scoring_it_fails(backend, tuned, fake, test_file):
    fake.on(
        "POST",
        r"tuned-1\.eastus\.inference\.ml\.azure\.com/score$",
        answer("fine", "primary-key-of-tuned-1"),
    )
    fake.on(
        "POST",
        r"base-[^.]+\.eastus\.inference\.ml\.azure\.com/score$",
        lambda r, m: Reply(429, {"message": "Too many requests"}),
    )
    offer = backend.offer_base_deployment(BASE_ID)

    with pytest.raises(EndpointError, match=r"Too many requests right now \(429\)"):
        through_endpoints.evaluate(backend, JOB, tuned, test_file, base_offer=offer, rows=2)

    assert fake.sent("DELETE", r"/onlineEndpoints/base-[^/]+$")
    assert [e.name for e in backend.list_endpoints()] == ["tuned-1"]


def test_against_an_existing_endpoint_deploys_nothing(backend, tuned, workspace, fake, test_file):
    workspace.add_endpoint("other", auth_mode="Key", deployment="blue")
    fake.on(
        "POST",
        r"tuned-1\.eastus\.inference\.ml\.azure\.com/score$",
        answer("Paris.", "primary-key-of-tuned-1"),
    )
    fake.on(
        "POST",
        r"other\.eastus\.inference\.ml\.azure\.com/score$",
        answer("Paris.", "primary-key-of-other", deployment="blue"),
    )

    result = through_endpoints.evaluate(backend, JOB, tuned, test_file, against="other", rows=2)

    assert result["comparator"] == "endpoint other" and not result["base_endpoint_deleted"]
    assert not fake.sent("PUT", r"/onlineEndpoints/base-")
    assert not fake.sent("DELETE", r"/onlineEndpoints/")


def test_the_backend_serves_a_base_model_from_the_registry(backend, tuned, fake):
    endpoint = backend.deploy_base_model(BASE_ID)

    assert endpoint.status == "running" and endpoint.hourly_price == pytest.approx(3.06)
    put = fake.sent("PUT", rf"/onlineEndpoints/{endpoint.name}/deployments/demo$")[-1]
    assert put.json()["properties"]["model"] == BASE_ID


def test_cli_offers_the_base_deployment_with_its_price_then_runs_with_consent(
    backend, tuned, scoring, test_file, monkeypatch, capsys
):
    from services.cli import evaluate as verb
    from services.cli import main

    monkeypatch.setattr(verb, "create_backend", lambda name: backend)
    args = ["evaluate", JOB, "--tuned-endpoint", tuned, "--data", test_file, "--rows", "2"]

    assert main([*args, "--json"]) == 1
    refused = json.loads(capsys.readouterr().out)
    assert any("$3.06/hour" in reason for reason in refused["reasons"])
    assert not scoring.sent("PUT", r"/onlineEndpoints/base-")

    assert main([*args, "--deploy-base", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)  # the SDK's progress dots went to stderr
    assert result["comparator"] == "base" and len(result["examples"]) == 2
    assert result["scorecard"]["held_out"]["tuned_eval_loss"] == pytest.approx(1.8)
    assert scoring.sent("DELETE", rf"/onlineEndpoints/{result['base_endpoint_deleted']}$")


def _tags(run: dict) -> dict:
    return {tag["key"]: tag["value"] for tag in run["data"]["tags"]}


def test_the_evaluation_is_an_mlflow_run_beside_the_training_run_and_listed_again(
    backend, tuned, scoring, workspace, test_file
):
    offer = backend.offer_base_deployment(BASE_ID)

    result = through_endpoints.evaluate(backend, JOB, tuned, test_file, base_offer=offer, rows=3)

    [run] = workspace.mlflow_runs.values()
    assert run["info"]["run_id"] == result["run_id"]
    # in the training run's experiment, in the workspace's own store
    assert run["info"]["experiment_id"] == p.mlflow_run(JOB, {})["run"]["info"]["experiment_id"]
    assert run["info"]["status"] == "FINISHED"
    tags = _tags(run)
    assert tags["studio.kind"] == "evaluation"
    assert tags["studio.job_id"] == tags["studio.training_run_id"] == JOB
    assert tags["studio.comparator"] == "base"
    assert tags["studio.tuned_endpoint"] == "tuned-1"
    assert tags["studio.rows"].startswith("3 rows, seed ")
    assert len(tags["studio.row_indices"].split(",")) == 3
    assert tags["studio.verdict"] == result["scorecard"]["verdict"]
    metrics = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    card = result["scorecard"]
    assert metrics["tuned_rouge_l"] == pytest.approx(card["tuned"]["rouge_l"])
    assert metrics["base_chrf"] == pytest.approx(card["base"]["chrf"])
    assert "tuned_perplexity" not in metrics  # not measurable through an endpoint
    assert metrics["improved"] == float(card["improved"])
    params = {m["key"]: m["value"] for m in run["data"]["params"]}
    assert params["rows"] == "3" and params["max_new_tokens"] == "128"
    # the per-example table as the run's artifact, in the file and tag mlflow.log_table writes
    table = json.loads(workspace.run_artifact(result["run_id"], "per_example.json") or b"{}")
    columns = table["columns"]
    rows = [dict(zip(columns, row, strict=True)) for row in table["data"]]
    assert [(r["row"], r["tuned_reply"]) for r in rows] == [
        (e["row"], e["tuned_reply"]) for e in result["examples"]
    ]
    assert len(rows) == 3 and rows[0]["tuned_reply"] == "The capital of France is Paris."
    assert json.loads(tags["mlflow.loggedArtifacts"]) == [
        {"path": "per_example.json", "type": "table"}
    ]

    # found again from the workspace (a page refresh), with the scorecard as it was shown
    from services.evaluation import azure_runs

    [listed] = azure_runs.list_runs(azure_runs.tracking_store(backend), JOB)
    assert (listed.id, listed.status, listed.rows) == (result["run_id"], "finished", 3)
    assert listed.verdict == card["verdict"] and listed.scorecard["tuned"] == card["tuned"]
    assert listed.scorecard["held_out"]["tuned_eval_loss"] == pytest.approx(1.8)


def test_a_failed_evaluation_ends_its_run_failed_with_the_reason(
    backend, tuned, fake, workspace, test_file
):
    fake.on(
        "POST",
        r"tuned-1\.eastus\.inference\.ml\.azure\.com/score$",
        lambda r, m: Reply(401, {"message": "Invalid key"}),
    )

    with pytest.raises(EndpointError):
        through_endpoints.evaluate(backend, JOB, tuned, test_file, against="tuned-1", rows=2)

    [run] = workspace.mlflow_runs.values()
    assert run["info"]["status"] == "FAILED"
    assert "401" in _tags(run)["studio.error"] or "key" in _tags(run)["studio.error"].lower()


def test_a_table_that_cannot_be_uploaded_ends_the_run_failed_not_finished(
    backend, tuned, fake, workspace, test_file
):
    fake.on(
        "POST",
        r"tuned-1\.eastus\.inference\.ml\.azure\.com/score$",
        answer("Paris.", "primary-key-of-tuned-1"),
    )
    fake.on(
        "POST",
        r"/artifacts/batch/metadata$",
        lambda r, m: Reply(403, {"error": {"code": "Forbidden", "message": "No write access"}}),
    )

    with pytest.raises(EvaluationError, match="No write access") as raised:
        through_endpoints.evaluate(backend, JOB, tuned, test_file, against="tuned-1", rows=2)

    assert "write run artifacts" in raised.value.hint
    [run] = workspace.mlflow_runs.values()
    assert run["info"]["status"] == "FAILED"
    assert "No write access" in _tags(run)["studio.error"]


def test_cli_lists_a_jobs_azure_evaluations_from_the_workspace_as_json(
    backend, tuned, scoring, test_file, monkeypatch, capsys
):
    from services.cli import evaluate as verb
    from services.cli import main

    monkeypatch.setattr(verb, "create_backend", lambda name: backend)
    assert main(["evaluations", "list", JOB, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    offer = backend.offer_base_deployment(BASE_ID)
    result = through_endpoints.evaluate(backend, JOB, tuned, test_file, base_offer=offer, rows=2)
    capsys.readouterr()  # the SDK's progress dots while the base model deployed

    assert main(["evaluations", "list", JOB, "--json"]) == 0

    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["id"], listed["run_id"], listed["job_id"]) == (
        result["run_id"],
        result["run_id"],
        JOB,
    )
    assert (listed["status"], listed["rows"], listed["comparator"]) == ("finished", 2, "base")
    assert listed["verdict"] == result["scorecard"]["verdict"]
    assert listed["scorecard"]["tuned"] == result["scorecard"]["tuned"]
    assert "examples" not in listed and listed["seconds"] is not None
    assert main(["evaluations", "list", "ft-unknown", "--json"]) == 2
    assert "Metrics page" in json.loads(capsys.readouterr().out)["hint"]
