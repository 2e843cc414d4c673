"""The Deploy page through the real app: register → deploy → key reveal → delete (tiny model)."""

from __future__ import annotations

import getpass
import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from services.serving import local_endpoints
from tests.app_helpers import open_page
from tests.serving.tiny_model import JOB_ID, build_finished_job


@pytest.fixture(autouse=True)
def no_endpoint_left_running(studio_home):
    """A failed assertion must not leave a server process behind."""
    yield
    for endpoint in local_endpoints.list_endpoints():
        local_endpoints.delete_endpoint(endpoint.name)


def code_values(at) -> list[str]:
    return [element.value for element in at.code]


def test_without_jobs_the_page_says_what_to_do_first():
    at = open_page("deploy")
    assert not at.exception, at.exception
    infos = " ".join(element.value for element in at.info)
    assert "No finished job yet" in infos and "No registered model yet" in infos


def test_register_deploy_reveal_and_delete(studio_home):
    build_finished_job(studio_home)
    at = open_page("deploy")
    assert not at.exception, at.exception
    assert at.text_input(key=f"deploy_model_name_{JOB_ID}").value == "tiny-llama-ultrachat-200k"

    at.button(key="deploy_register").click().run()
    assert "version 1" in at.success[0].value
    assert at.selectbox(key="deploy_version").value.version == "1"

    at.button(key="deploy_deploy").click().run(timeout=300)
    assert not at.exception, at.exception
    (endpoint,) = local_endpoints.list_endpoints()
    assert endpoint.status == "running"
    key = local_endpoints.scoring_target(endpoint.name).key
    assert endpoint.name in at.success[0].value
    assert endpoint.scoring_uri in code_values(at)
    assert key not in code_values(at)  # masked until asked
    assert any(value.startswith("••••") for value in code_values(at))
    # every page's sidebar lists it with a delete button (AppTest draws the sidebar only on
    # the default page, so look there)
    setup = open_page("setup")
    assert "1 endpoint running" in setup.sidebar.warning[0].value
    assert f"cost_notice_delete_{endpoint.name}" in [b.key for b in setup.sidebar.button]

    assert at.button(key="deploy_reveal").disabled  # a confirm comes first
    at.checkbox(key=f"deploy_reveal_confirm_{endpoint.name}").check().run()
    at.button(key="deploy_reveal").click().run()
    assert key in code_values(at)
    at.button(key="deploy_hide_key").click().run()
    assert key not in code_values(at)
    log = (studio_home / "audit.log").read_text()
    assert '"reveal_key"' in log and key not in log
    (table,) = [df.value for df in at.dataframe if "started by" in df.value.columns]
    assert list(table["started by"]) == [getpass.getuser()]

    # one click in the cost notice deletes it
    notice = AppTest.from_function(cost_notice_alone, default_timeout=60).run()
    notice.button(key=f"cost_notice_delete_{endpoint.name}").click().run()
    assert not notice.exception, notice.exception
    assert local_endpoints.list_endpoints() == []
    assert not notice.warning


def cost_notice_alone() -> None:
    # AppTest keeps the sidebar of app.py only on the first run, so clicks are tested here.
    from pages.shared.cost_notice import render_cost_notice

    render_cost_notice()


def test_a_stopped_endpoint_is_listed_and_deleted_from_the_page(studio_home):
    folder = studio_home / "endpoints" / "old-endpoint"
    folder.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (folder / "endpoint.json").write_text(
        json.dumps({"model_name": "m", "model_version": "3", "pid": dead.pid, "created_at": 1.0})
    )
    at = open_page("deploy")
    assert at.selectbox(key="deploy_endpoint").value.status == "stopped"
    assert not any(element.value.startswith("••••") for element in at.code)  # no key to show
    assert at.button(key="deploy_delete").disabled  # a confirm comes first
    at.checkbox(key="deploy_delete_confirm_old-endpoint").check().run()
    at.button(key="deploy_delete").click().run()
    assert not at.exception, at.exception
    assert not folder.exists()
    assert "No endpoint yet." in [element.value for element in at.info]
