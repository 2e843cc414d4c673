"""The scoring contract as local endpoints read it (no server needed)."""

import pytest

from services.serving.contract import DEFAULT_PARAMETERS, ContractError, parse_request
from services.serving.limits import Limits

USER = {"role": "user", "content": "Hi"}


def body(messages=None, **parameters):
    return {"input_data": {"input_string": messages or [USER], "parameters": parameters}}


def test_guide_request_is_accepted_with_its_parameters():
    request = parse_request(
        body(
            [{"role": "system", "content": "Be brief."}, USER],
            temperature=0.6,
            top_p=0.9,
            do_sample=True,
            max_new_tokens=200,
        )
    )
    assert request.messages[0]["role"] == "system"
    assert request.parameters == {
        "temperature": 0.6,
        "top_p": 0.9,
        "do_sample": True,
        "max_new_tokens": 200,
    }
    assert request.stream is False


def test_missing_parameters_take_the_guide_defaults_and_unknown_ones_are_ignored():
    request = parse_request({"input_data": {"input_string": [USER], "parameters": {"seed": 1}}})
    assert request.parameters == DEFAULT_PARAMETERS


def test_stream_flag_is_read():
    assert parse_request(body(stream=True)).stream is True


@pytest.mark.parametrize(
    ("payload", "mentions"),
    [
        ([USER], "input_data"),
        ({"input_data": "x"}, "input_data"),
        ({"input_data": {"input_string": []}}, "input_string"),
        ({"input_data": {"input_string": ["Hi"]}}, "input_string[0]"),
        (body([{"role": "robot", "content": "x"}]), "role"),
        (body([{"role": "user", "content": 3}]), "content"),
        (body([USER, {"role": "assistant", "content": "x"}]), "last message"),
        (body(temperature="hot"), "temperature"),
        (body(temperature=-1), "temperature"),
        (body(top_p=0), "top_p"),
        (body(max_new_tokens=0), "max_new_tokens"),
        (body(max_new_tokens=2.5), "max_new_tokens"),
        (body(do_sample="yes"), "do_sample"),
        (body(stream="yes"), "stream"),
        ({"input_data": {"input_string": [USER], "parameters": [1]}}, "parameters"),
    ],
)
def test_malformed_bodies_are_refused_with_what_is_wrong(payload, mentions):
    with pytest.raises(ContractError, match=mentions.replace("[", r"\[")):
        parse_request(payload)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(ContractError, match="finite"):
        parse_request(body(temperature=value))
    with pytest.raises(ContractError, match="finite"):
        parse_request(body(top_p=value))


def test_limits_come_from_the_environment_and_refusals_name_them(monkeypatch):
    monkeypatch.setenv("STUDIO_SERVE_MAX_MESSAGES", "2")
    monkeypatch.setenv("STUDIO_SERVE_MAX_NEW_TOKENS", "10")
    limits = Limits.from_env()
    assert parse_request(body(), limits).parameters["max_new_tokens"] == 10  # default capped
    with pytest.raises(ContractError, match=r"max_messages = 2 \(STUDIO_SERVE_MAX_MESSAGES\)"):
        parse_request(body([USER] * 3), limits)
    with pytest.raises(ContractError, match=r"max_new_tokens = 10 \(STUDIO_SERVE_MAX_NEW_TOKENS\)"):
        parse_request(body(max_new_tokens=11), limits)
    monkeypatch.setenv("STUDIO_SERVE_TIMEOUT_S", "soon")
    with pytest.raises(ValueError, match="STUDIO_SERVE_TIMEOUT_S='soon'"):
        Limits.from_env()
