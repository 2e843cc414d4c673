"""The generation loop's scheduling and greedy path, on the tiny model in a child process
(tests/serving/batching_probe.py: this process never imports torch)."""

from __future__ import annotations

import pytest

from tests.support.child import json_from_child


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("batching") / "tiny"
    return json_from_child(["-m", "tests.serving.batching_probe", str(folder)])


def test_requests_that_arrive_together_start_one_a_step_in_arrival_order(probe):
    deliveries = probe["together"]["deliveries"]
    first_token_at = {request: deliveries.index([request, 1]) for request in range(3)}
    assert first_token_at[0] < first_token_at[1] < first_token_at[2]
    # When a request gets its first token, the first request has already decoded one more
    # token per request before it: its first token never waited for the others' prompts.
    for request in (1, 2):
        before = [tokens for index, tokens in deliveries[: first_token_at[request]] if index == 0]
        assert before[-1] == request + 1


def test_every_request_still_gets_all_its_tokens(probe):
    deliveries = probe["together"]["deliveries"]
    for request in range(3):
        assert [t for i, t in deliveries if i == request] == list(range(1, 13))


def test_greedy_replies_equal_generate_alone_and_beside_a_sampled_request(probe):
    # The greedy step keeps only the likeliest token without sorting; a step shared with a
    # sampled request takes the full top-p path: both must give generate()'s greedy reply.
    assert probe["greedy_alone"] == probe["generate"]
    assert probe["greedy_beside_sampled"] == probe["generate"]
