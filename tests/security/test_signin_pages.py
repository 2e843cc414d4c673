"""The app with sign-in configured (AppTest: [auth] in its secrets, st.user seeded): the
sign-in screen, then what an operator and a viewer see of a finished job on the Deploy page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app_helpers import APP
from tests.serving.tiny_model import JOB_ID, build_finished_job

SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "studio",
        "client_secret": "test-only",
        "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
    },
    "roles": {"operators": ["alice@example.com"]},
}
ALICE = {"is_logged_in": True, "email": "alice@example.com", "name": "Alice"}
VIC = {"is_logged_in": True, "email": "vic@example.com", "name": "Vic"}


def app_as(user: dict, page: str = "") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(SECRETS)
    at.user = user
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def sidebar_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


def test_nobody_signed_in_sees_only_the_sign_in_button():
    at = app_as({"is_logged_in": False})
    assert [b.key for b in at.button] == ["signin_login"]
    assert at.title[0].value == "Fine-Tune Studio"
    assert not at.sidebar.markdown  # no backend, no state folder, nothing of the app


def test_the_sidebar_says_who_and_their_role():
    at = app_as(ALICE)
    assert "**Alice** · operator" in sidebar_text(at)
    assert "signin_logout" in [b.key for b in at.sidebar.button]
    assert "**Vic** · viewer" in sidebar_text(app_as(VIC))


def test_an_operator_may_register_a_viewer_does_not_see_it(studio_home):
    build_finished_job(studio_home)
    operator = app_as(ALICE, "deploy")
    assert operator.text_input(key=f"deploy_model_name_{JOB_ID}").value
    assert "deploy_register" in [b.key for b in operator.button]

    viewer = app_as(VIC, "deploy")
    assert viewer.selectbox(key="deploy_job").value.id == JOB_ID  # the job is listed...
    assert "deploy_register" not in [b.key for b in viewer.button]  # ...not registrable


def test_a_viewer_sees_no_evaluation_form(studio_home):
    build_finished_job(studio_home)
    assert "evaluate_start" in [b.key for b in app_as(ALICE, "evaluate").button]
    assert "evaluate_start" not in [b.key for b in app_as(VIC, "evaluate").button]
