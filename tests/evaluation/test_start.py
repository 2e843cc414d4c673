"""The Evaluate form's judge choice: only the fields of the chosen kind count."""

import pytest

from services.backends.local import LocalBackend
from services.errors import EndpointError
from services.evaluation.start import NO_JUDGE, URL_JUDGE, JudgeChoice


def test_fields_of_another_kind_are_ignored(studio_home):
    backend = LocalBackend()
    leftover = JudgeChoice(NO_JUDGE, endpoint="e", url="https://x.example/v1", key="k")
    assert leftover.remote(backend) is None
    remote = JudgeChoice(URL_JUDGE, endpoint="e", url="https://x.example/v1", model="m")
    assert remote.remote(backend).target.scoring_uri == "https://x.example/v1/chat/completions"


def test_a_bad_judge_url_says_what_to_give(studio_home):
    with pytest.raises(EndpointError, match="not an http"):
        JudgeChoice(URL_JUDGE, url="ftp://x").remote(LocalBackend())
