"""Endpoints an evaluation calls: the judge, and a comparator that is an endpoint.

Two request shapes: the Azure ML scoring contract (local and Azure endpoints, through the
Chat page's client, services.chat.client) and an OpenAI-compatible chat completions URL
(`POST .../chat/completions`, `Authorization: Bearer <key>`), which most hosted judges speak.

The parent resolves an endpoint and checks it answers; the worker calls it. What goes into
evaluation.json and MLflow is `describe()` (no key); the key travels to the worker only in its
environment (`key_env()`), so it is never written to disk or logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import requests

from services.backends.base import ScoringTarget
from services.chat.client import DEFAULT_TIMEOUT_S, ChatCall, http_error
from services.errors import EndpointError

SCORING, OPENAI = "scoring", "openai"
KEY_ENV = {"judge": "STUDIO_JUDGE_KEY", "comparator": "STUDIO_COMPARATOR_KEY"}


@dataclass(frozen=True)
class Remote:
    label: str  # what the user picked: an endpoint name or a URL
    target: ScoringTarget  # url, key (secret), headers
    api: str = SCORING
    model: str = ""  # OpenAI-compatible APIs name the model in the body
    timeout_s: float = DEFAULT_TIMEOUT_S
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def describe(self) -> dict:
        """Everything but the key: safe for evaluation.json, tags and the page."""
        return {
            "label": self.label,
            "url": self.target.scoring_uri,
            "api": self.api,
            "model": self.model,
            "headers": dict(self.target.headers),
            "timeout_s": self.timeout_s,
        }

    def key_env(self, role: str) -> dict[str, str]:
        return {KEY_ENV[role]: self.target.key}


def openai_compatible(url: str, key: str, model: str, timeout_s: float = DEFAULT_TIMEOUT_S):
    """An OpenAI-compatible chat URL (the base URL or its /chat/completions) with its key."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise EndpointError(
            f"{url!r} is not an http(s) URL.",
            "Give the API's base URL, e.g. https://api.openai.com/v1.",
        )
    if not url.endswith("/chat/completions"):
        url += "/chat/completions"
    return Remote(url, ScoringTarget(url, key), OPENAI, model.strip(), timeout_s)


def choose_judge(backend, *, endpoint: str = "", url: str = "", key: str = "", model: str = ""):
    """The judge the user picked: an endpoint of `backend` by name, or an OpenAI-compatible
    URL with its key and model; None for no judge."""
    if endpoint and url:
        raise EndpointError("Pick one judge: an endpoint or a URL, not both.", "Clear one.")
    if endpoint:
        return Remote(endpoint, backend.scoring_target(endpoint))
    if url:
        return openai_compatible(url, key, model)
    return None


def from_record(described: dict | None, role: str) -> Remote | None:
    """The worker's side: the described endpoint with its key from the environment."""
    if not described:
        return None
    target = ScoringTarget(
        described["url"], os.environ.get(KEY_ENV[role], ""), dict(described.get("headers") or {})
    )
    return Remote(
        described["label"],
        target,
        described.get("api", SCORING),
        described.get("model", ""),
        float(described.get("timeout_s", DEFAULT_TIMEOUT_S)),
    )


def ask(remote: Remote, messages: list[dict], parameters: dict, session: requests.Session) -> str:
    """The reply's text; EndpointError (401, 424, 429, a timeout, not a chat model...)."""
    if remote.api == SCORING:
        call = ChatCall(
            remote.target,
            messages,
            parameters,
            session=session,
            timeout_s=remote.timeout_s,
            stream=False,
        )
        return call.run().text
    return _openai_chat(remote, messages, parameters, session)


def _openai_chat(remote: Remote, messages, parameters: dict, session) -> str:
    body: dict = {
        "messages": messages,
        "max_tokens": parameters.get("max_new_tokens", 16),
        "temperature": parameters.get("temperature", 0.0),
    }
    if remote.model:
        body["model"] = remote.model
    if "top_p" in parameters:
        body["top_p"] = parameters["top_p"]
    try:
        response = session.post(
            remote.target.scoring_uri,
            json=body,
            headers={"Authorization": f"Bearer {remote.target.key}", **remote.target.headers},
            timeout=remote.timeout_s,
        )
    except requests.Timeout as error:
        raise EndpointError(
            f"No reply from {remote.label} within {remote.timeout_s:g} s.",
            "The API may be busy or the URL wrong: check it and retry.",
        ) from error
    except requests.ConnectionError as error:
        raise EndpointError(
            f"Cannot reach {remote.label}.", "Check the URL and that this machine can reach it."
        ) from error
    if response.status_code >= 400:
        raise http_error(response)
    try:
        return str(response.json()["choices"][0]["message"]["content"] or "")
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise EndpointError(
            f"{remote.label} did not answer as an OpenAI-compatible chat API.",
            "Give the chat completions URL of a chat model (…/v1 or …/v1/chat/completions).",
        ) from error


def check_chat(remote: Remote, who: str) -> None:
    """One tiny request, so a wrong key, a busy endpoint or a model that is not a chat model
    fails before the evaluation starts; EndpointError naming `who` (the judge, the comparator)."""
    messages = [{"role": "user", "content": "Say OK."}]
    parameters = {"max_new_tokens": 2, "temperature": 0.0, "do_sample": False}
    try:
        ask(remote, messages, parameters, requests.Session())
    except EndpointError as error:
        raise EndpointError(f"{who} ({remote.label}): {error.message}", error.hint) from error
