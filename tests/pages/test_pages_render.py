"""Every page renders without an exception (AppTest, no browser)."""

import pytest

from tests.app_helpers import open_page

PAGES = ["setup", "dataset", "jobs", "metrics", "deploy", "chat"]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert at.title, f"{page} shows no title"


def test_sidebar_shows_backend_and_state_folder(studio_home):
    at = open_page("setup")
    sidebar_text = " ".join(m.value for m in at.sidebar.markdown)
    assert "local" in sidebar_text
    assert str(studio_home) in " ".join(c.value for c in at.sidebar.caption)
