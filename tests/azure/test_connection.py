"""Connecting: where the workspace comes from, and errors that say what to do."""

from __future__ import annotations

import json

import pytest

from services.backends import create_backend
from services.backends.azure import find_azure_config
from services.errors import AzureError
from tests.azure import payloads as p
from tests.azure.fake_azure import FakeCredential, Reply, arm_error


def test_connect_reads_the_workspace_and_discovers_the_registry(backend, fake):
    assert backend.name == "azure"
    assert backend.workspace["location"] == p.LOCATION
    assert (
        fake.sent("GET", rf"/workspaces/{p.WS}$")[0].headers["Authorization"].startswith("Bearer ")
    )
    assert fake.sent("GET", r"/registries/azureml/discovery$")


def test_connection_describes_workspace_resource_group_and_region(backend):
    connection = backend.connection

    assert (connection.workspace_name, connection.resource_group) == (p.WS, p.RG)
    assert connection.location == p.LOCATION
    assert connection.subscription_id == p.SUB
    assert connection.describe() == (
        f"workspace `{p.WS}` (resource group `{p.RG}`, region {p.LOCATION})"
    )


def test_connect_from_config_json(connect, tmp_path, fake):
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"subscription_id": p.SUB, "resource_group": p.RG, "workspace_name": p.WS})
    )

    backend = connect(
        subscription_id=None, resource_group=None, workspace_name=None, config_path=config
    )

    assert backend.workspace["source"] == str(config)
    assert fake.sent("GET", rf"/resourceGroups/{p.RG}/.*/workspaces/{p.WS}$")


def test_environment_overrides_config_and_arguments_override_both(connect, tmp_path, monkeypatch):
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "subscription_id": "from-file",
                "resource_group": "rg-file",
                "workspace_name": "ws-file",
            }
        )
    )
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", p.SUB)
    monkeypatch.setenv("AZURE_RESOURCE_GROUP", "rg-env")

    found = find_azure_config(config)
    assert found["subscription_id"] == p.SUB
    assert found["resource_group"] == "rg-env"
    assert found["workspace_name"] == "ws-file"
    assert found["complete"]

    backend = connect(
        subscription_id=None, resource_group=p.RG, workspace_name=p.WS, config_path=config
    )
    assert backend.workspace["resource_group"] == p.RG


def test_find_azure_config_in_studio_home(studio_home):
    assert find_azure_config() is None
    (studio_home / "azure").mkdir(parents=True)
    (studio_home / "azure" / "config.json").write_text(json.dumps({"workspace_name": "w"}))

    found = find_azure_config()

    assert found["workspace_name"] == "w"
    assert not found["complete"]


def write_config(path, workspace_name="w"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"workspace_name": workspace_name}))


@pytest.mark.parametrize(
    "where",
    [
        "project/config.json",  # the working folder
        "config.json",  # a parent of it
        "project/.azureml/config.json",  # the SDK's config folder
        ".azureml/config.json",  # ... in a parent
    ],
)
def test_config_json_is_found_as_mlclient_from_config_finds_it(
    tmp_path, monkeypatch, studio_home, where
):
    write_config(tmp_path / where)
    (tmp_path / "project" / "src").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "project" / ("src" if "project" not in where else ""))

    found = find_azure_config()

    assert found["workspace_name"] == "w"
    assert found["source"] == str((tmp_path / where).resolve())


def test_azureml_folder_wins_over_a_plain_config_like_the_sdk(tmp_path, monkeypatch, studio_home):
    write_config(tmp_path / "config.json", "plain")
    write_config(tmp_path / ".azureml" / "config.json", "dot-azureml")
    monkeypatch.chdir(tmp_path)

    assert find_azure_config()["workspace_name"] == "dot-azureml"


def test_config_path_may_name_a_folder_to_search(tmp_path, studio_home):
    write_config(tmp_path / ".azureml" / "config.json")

    assert find_azure_config(tmp_path)["workspace_name"] == "w"


def test_missing_settings_name_what_to_set(monkeypatch):
    for var in ("AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP", "AZUREML_WORKSPACE_NAME"):
        monkeypatch.delenv(var, raising=False)

    with pytest.raises(AzureError) as error:
        create_backend("azure", workspace_name="w", credential=FakeCredential())

    assert "subscription_id" in error.value.message
    assert "AZURE_SUBSCRIPTION_ID" in error.value.hint


@pytest.mark.parametrize(
    ("status", "code", "message", "says"),
    [
        (401, "InvalidAuthenticationToken", "The access token is invalid.", "az login"),
        (403, "AuthorizationFailed", "The client does not have authorization", "role"),
        (404, "ResourceNotFound", "The Resource 'ws-studio' was not found.", "workspace"),
        (
            404,
            "ResourceGroupNotFound",
            "Resource group 'rg-studio' could not be found.",
            "resource group",
        ),
        (404, "SubscriptionNotFound", "The subscription could not be found.", "subscription"),
    ],
)
def test_arm_errors_say_what_to_do(connect, workspace, status, code, message, says):
    workspace.workspace_reply = arm_error(status, code, message)

    with pytest.raises(AzureError) as error:
        connect()

    assert says in error.value.hint
    assert p.WS in error.value.message


def test_credential_failure_says_az_login(connect):
    from azure.core.exceptions import ClientAuthenticationError

    class NoLogin(FakeCredential):
        def get_token(self, *scopes, **kwargs):
            raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token")

    with pytest.raises(AzureError) as error:
        connect(credential=NoLogin())

    assert "az login" in error.value.hint
    assert "sign in" in error.value.message


@pytest.mark.parametrize(
    ("reply", "message", "hint"),
    [
        (
            Reply(
                429,
                {"error": {"code": "TooManyRequests", "message": "slow down"}},
                {"Retry-After": "17"},
            ),
            "throttling",
            "after 17 s",
        ),
        (arm_error(503, "ServiceUnavailable", "try later"), "service problem", "Azure's side"),
        (arm_error(500, "InternalServerError", "oops"), "(500)", "try again in a few minutes"),
    ],
)
def test_throttling_and_service_errors_do_not_blame_the_network(
    connect, workspace, reply, message, hint
):
    workspace.workspace_reply = reply

    with pytest.raises(AzureError) as error:
        connect()

    assert message in error.value.message
    assert hint in error.value.hint
    assert "check the network" not in error.value.hint.lower()


def test_the_sidebar_offers_a_fully_configured_workspace_only_off_azure(studio_home):
    from services.backends.azure import switch_offer

    assert switch_offer("local") == ""  # nothing configured
    (studio_home / "azure").mkdir(parents=True)
    config = studio_home / "azure" / "config.json"
    config.write_text(json.dumps({"workspace_name": "w"}))
    assert switch_offer("local") == ""  # a workspace name alone cannot be connected to
    config.write_text(
        json.dumps({"subscription_id": "s", "resource_group": "rg", "workspace_name": "w"})
    )
    assert switch_offer("local").startswith("Azure ML workspace `w` is configured (")
    assert switch_offer("azure") == ""  # already on it
