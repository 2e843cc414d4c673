"""The service layer refuses a viewer, whatever the page shows: the role-checking backend, the
data sources, key reveal, evaluation and the demo. Operators' calls go through, as them."""

from __future__ import annotations

import json

import pytest

from services.backends.base import Backend, JobSpec
from services.backends.local import LocalBackend
from services.data import open_dataset, prepare
from services.data.demo import demo_file
from services.data.hub import fetch_hub_split
from services.data.preparation import prepare_demo
from services.data.roots import resolve_in_roots
from services.data.uploads import save_upload
from services.demo import start_demo
from services.errors import JobError, NotAllowedError
from services.evaluation.evaluations import cancel_evaluation, start_evaluation
from services.security.endpoint_keys import reveal_key
from services.security.guarded_backend import GuardedBackend
from services.security.roles import Caller, Role

VIEWER = Caller(name="Vic", email="vic@contoso.com", role=Role.VIEWER, source="sign-in")
OPERATOR = Caller(name="Alice", email="alice@contoso.com", role=Role.OPERATOR, source="sign-in")
SPEC = JobSpec(
    model_id="SmolLM2-135M-Instruct",
    train_file="train.jsonl",
    test_file="test.jsonl",
    compute="cpu",
    gpus=0,
    params={"max_steps": 1},
    display_name="crafted-run",
)
ROWS = '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}\n'


def audit_lines(home) -> list[dict]:
    path = home / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def viewer_backend() -> GuardedBackend:
    return GuardedBackend(LocalBackend(), VIEWER)


def test_the_guarded_backend_is_a_backend(viewer_backend):
    assert isinstance(viewer_backend, Backend)
    assert viewer_backend.name == "local" and viewer_backend.capabilities.evaluate


@pytest.mark.parametrize(
    "action, call",
    [
        ("submit", lambda b: b.submit_job(SPEC)),
        ("cancel", lambda b: b.cancel_job("job-1")),
        ("register", lambda b: b.register_model("job-1")),
        ("deploy", lambda b: b.deploy("chat_model", "1")),
        ("deploy", lambda b: b.deploy_base_model("SmolLM2-135M-Instruct")),
        ("delete", lambda b: b.delete_endpoint("ep-1")),
        ("regenerate_key", lambda b: b.regenerate_key("ep-1")),
        ("add_model_folder", lambda b: b.add_model_folder("/etc")),
        ("create_compute", lambda b: b.create_compute("gpu", "Standard_NC6")),
    ],
)
def test_a_viewer_is_refused_every_operator_action(viewer_backend, studio_home, action, call):
    with pytest.raises(NotAllowedError, match="vic@contoso.com is a viewer"):
        call(viewer_backend)
    (line,) = audit_lines(studio_home)  # refused before the backend: its own line never comes
    assert (line["action"], line["outcome"], line["who"]["name"]) == (
        action,
        "refused",
        "vic@contoso.com",
    )
    assert not (studio_home / "jobs").exists() or not any((studio_home / "jobs").iterdir())


def test_a_viewer_reads_jobs_and_endpoints(viewer_backend):
    assert viewer_backend.list_jobs() == []
    assert viewer_backend.list_endpoints() == []


def test_a_viewer_gets_listed_models_but_not_a_typed_path(viewer_backend, studio_home):
    (listed, *_) = viewer_backend.list_models()
    assert viewer_backend.get_model(listed.id) == listed
    with pytest.raises(NotAllowedError, match="get a model by a typed name or path"):
        viewer_backend.get_model("/etc")
    assert audit_lines(studio_home)[-1]["action"] == "name_model"


def test_an_operator_goes_through_and_the_audit_log_names_them(studio_home):
    backend = GuardedBackend(LocalBackend(), OPERATOR)
    with pytest.raises(JobError):  # the backend's own answer: there is no such job
        backend.cancel_job("job-404")
    (line,) = audit_lines(studio_home)
    assert line["who"] == {"name": "alice@contoso.com", "source": "sign-in"}
    assert (line["action"], line["outcome"], line["error"]) == ("cancel", "failed", "JobError")


def test_a_viewer_may_not_see_a_key(viewer_backend, studio_home):
    with pytest.raises(NotAllowedError, match="see an endpoint's key"):
        reveal_key(viewer_backend, "ep-1", caller=VIEWER)
    assert audit_lines(studio_home)[0]["action"] == "reveal_key"


def test_a_viewer_opens_the_demo_data_and_prepared_data_only(studio_home):
    assert open_dataset(demo_file(), caller=VIEWER).row_count > 0
    prepared = prepare_demo()
    assert open_dataset(prepared.train_file, caller=VIEWER).row_count > 0

    elsewhere = studio_home / "uploads" / "abc" / "mine.jsonl"  # inside the data roots
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_text(ROWS)
    assert open_dataset(elsewhere, within_roots=True).row_count == 1  # an operator may
    with pytest.raises(NotAllowedError, match="open a file by its path"):
        open_dataset(elsewhere, within_roots=True, caller=VIEWER)
    with pytest.raises(NotAllowedError):
        resolve_in_roots("uploads/abc/mine.jsonl", caller=VIEWER)


def test_a_viewer_may_not_upload_download_or_prepare(studio_home):
    with pytest.raises(NotAllowedError, match="upload a file"):
        save_upload("train.jsonl", ROWS.encode(), caller=VIEWER)
    assert not (studio_home / "uploads").exists()
    with pytest.raises(NotAllowedError, match="download a dataset"):
        fetch_hub_split("HuggingFaceH4/ultrachat_200k", "train_sft", 5, caller=VIEWER)
    with pytest.raises(NotAllowedError, match="prepare a dataset"):
        prepare("demo", caller=VIEWER)
    assert not (studio_home / "datasets").exists() or not any((studio_home / "datasets").iterdir())
    assert save_upload("train.jsonl", ROWS.encode(), caller=OPERATOR).is_file()


def test_a_viewer_may_not_evaluate_or_run_the_demo(studio_home):
    with pytest.raises(NotAllowedError, match="start or cancel an evaluation"):
        start_evaluation("job-1", caller=VIEWER)
    with pytest.raises(NotAllowedError):
        cancel_evaluation("job-1", "eval-1", caller=VIEWER)
    with pytest.raises(NotAllowedError, match="run the demo"):
        start_demo(caller=VIEWER)
    assert not (studio_home / "demo").exists()
