"""Journey 8, Sign-in: a real OpenID Connect provider on 127.0.0.1 (oidc-provider-mock, built
on authlib), the app with an [auth] section, and two people: an operator who sees and uses the
operator controls, and a viewer who sees none of them and whose crafted call is refused.

Runs alone: its own provider, its own Streamlit server (secrets file in a temp folder, through
STREAMLIT_SECRETS_FILES) and its own STUDIO_HOME; it does not use the shared `app_server`.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
import werkzeug.serving
from playwright.sync_api import Page, expect

from services.backends import create_backend
from services.backends.base import JobSpec
from services.errors import StudioError
from services.security.guarded_backend import GuardedBackend
from services.security.roles import RoleRules, caller_from_claims
from tests.browser.conftest import ROOT
from tests.browser.server import AppServer, free_port, studio_env
from tests.browser.ui import click, go_to, heading, idle, pick_radio, widget

pytestmark = pytest.mark.browser

OPERATOR = {"sub": "alice", "email": "alice@example.com", "name": "Alice Operator"}
VIEWER = {"sub": "vic", "email": "vic@example.com", "name": "Vic Viewer"}
ROLES = {"operators": [OPERATOR["email"]]}
SOURCES = ["Demo", "Prepared", "Upload", "Local path", "Hugging Face hub"]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OpenID Connect provider on 127.0.0.1; its sign-in page offers the two people."""
    from oidc_provider_mock import User, app

    users = [
        User(sub=p["sub"], claims={k: v for k, v in p.items() if k != "sub"})
        for p in (OPERATOR, VIEWER)
    ]
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(user_claims=users), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def signin_app(provider, tmp_path_factory) -> Iterator[AppServer]:
    home = tmp_path_factory.mktemp("signin-studio")
    folder = tmp_path_factory.mktemp("signin-secrets")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "fine-tune-studio"\n'
        'client_secret = "test-only-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        "[roles]\n"
        f"operators = {json.dumps(ROLES['operators'])}\n"
    )
    # A prepared dataset for the viewer to browse, whatever order the tests run in.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "services",
            "dataset",
            "prepare",
            "--source",
            "demo",
            "--out",
            str(home / "datasets" / "seeded-demo"),
        ],
        cwd=ROOT,
        env=studio_env(home),
        check=True,
        capture_output=True,
    )
    log = tmp_path_factory.mktemp("signin-logs") / "streamlit.log"
    server = AppServer(ROOT, home, port, log, {"STREAMLIT_SECRETS_FILES": str(secrets_file)})
    server.start()
    yield server
    server.stop()


def sign_in(page: Page, app: AppServer, who: dict) -> None:
    """Through the provider's own pages, as a person does: Sign in, pick the account."""
    # The provider's page links a stylesheet on a CDN: offline here, so refuse it at once.
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page.goto(app.url)
    expect(page.get_by_text("Sign in to continue.")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # nothing of the app yet
    click(page, "signin_login")
    page.get_by_role("button", name=who["sub"], exact=True).click()  # the provider's page
    expect(page).to_have_url(re.compile(rf"^{re.escape(app.url)}/"))
    expect(heading(page, "Setup")).to_be_visible()


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def source_labels(page: Page) -> list[str]:
    return [
        t.strip() for t in widget(page, "dataset_source").get_by_role("radio").all_inner_texts()
    ] or [t.strip() for t in widget(page, "dataset_source").locator("label").all_inner_texts()]


@pytest.mark.timeout(600)
def test_an_operator_signs_in_and_has_the_operator_controls(page, signin_app):
    sign_in(page, signin_app, OPERATOR)
    expect(sidebar(page)).to_contain_text("Alice Operator · operator")

    go_to(page, "Dataset")
    for source in SOURCES:
        expect(widget(page, "dataset_source").get_by_text(source, exact=True)).to_be_visible()
    click(page, "dataset_prepare")  # an operator action, done for real: demo data prepared
    expect(page.get_by_test_id("stAlert").filter(has_text="Prepared in")).to_be_visible()

    go_to(page, "Demo")
    expect(widget(page, "demo_start").get_by_role("button")).to_be_visible()

    click(page, "signin_logout")  # the cookie goes, then the provider ends its session too
    expect(page.get_by_role("button", name="End session")).to_be_visible()
    page.goto(signin_app.url)
    expect(page.get_by_text("Sign in to continue.")).to_be_visible()


@pytest.mark.timeout(600)
def test_a_viewer_browses_without_operator_controls_and_a_crafted_call_is_refused(
    page, signin_app, monkeypatch
):
    sign_in(page, signin_app, VIEWER)
    expect(sidebar(page)).to_contain_text("Vic Viewer · viewer")
    expect(sidebar(page).get_by_role("button", name="Sign out")).to_be_visible()

    go_to(page, "Dataset")  # demo and prepared data only: no upload, no server path, no hub
    expect(widget(page, "dataset_source").get_by_text("Demo", exact=True)).to_be_visible()
    for source in ("Upload", "Local path", "Hugging Face hub"):
        expect(widget(page, "dataset_source").get_by_text(source, exact=True)).to_have_count(0)
    pick_radio(page, "dataset_source", "Prepared")
    expect(widget(page, "dataset_prepared")).to_be_visible()
    expect(page.get_by_test_id("stChatMessage").first).to_be_visible()
    # Where the operator's "Prepare for training" is: the statistics, drawn, and no button.
    expect(page.get_by_test_id("stMetric").filter(has_text="Rows")).to_be_visible()
    idle(page)
    expect(widget(page, "dataset_prepare")).to_have_count(0)

    go_to(page, "Demo")  # the operator's "Run the demo" is not there
    idle(page)
    expect(widget(page, "demo_start")).to_have_count(0)

    # The request the hidden button would have made, sent to the service with the viewer as
    # the app derives them (same claims, same [roles]): refused, and the audit log says who.
    monkeypatch.setenv("STUDIO_HOME", str(signin_app.home))  # the app's own home and audit log
    refusal = crafted_submit_as_viewer()
    assert refusal["error"] == "NotAllowedError"
    assert "vic@example.com is a viewer" in refusal["message"]
    audit = [json.loads(line) for line in (signin_app.home / "audit.log").read_text().splitlines()]
    assert {"action": "submit", "outcome": "refused", "who": "vic@example.com"} in [
        {"action": e["action"], "outcome": e["outcome"], "who": e["who"]["name"]} for e in audit
    ]
    assert not (signin_app.home / "jobs").exists() or not any((signin_app.home / "jobs").iterdir())


def crafted_submit_as_viewer() -> dict:
    """submit_job through the pages' backend (GuardedBackend), as the viewer the app derives
    from the same claims and [roles]: what a request for the hidden button would reach."""
    caller = caller_from_claims(VIEWER, RoleRules.from_config(ROLES))
    backend = GuardedBackend(create_backend("local"), caller)
    spec = JobSpec("SmolLM2-135M-Instruct", "t.jsonl", "t.jsonl", "cpu", 0, {}, "crafted")
    with pytest.raises(StudioError) as refused:
        backend.submit_job(spec)
    return refused.value.to_dict()
