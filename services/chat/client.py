"""The scoring-contract HTTP client: one request shape for local and Azure endpoints.

    call = ChatCall(target, messages, parameters, session=requests.Session())
    for piece in call:        # pieces of the reply as they arrive (st.write_stream takes it)
        ...
    call.reply                # ChatReply: text, latency, the request as sent (key masked), raw

Streams when the target streams (local endpoints, see services/serving/contract.py); otherwise
one POST, the way Azure ML managed online endpoints answer. Failures become EndpointError with
what happened and what to try.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from services.backends.base import ScoringTarget
from services.chat.responses import reply_text, server_events
from services.errors import EndpointError

DEFAULT_TIMEOUT_S = 90.0  # the guide's request_timeout_ms for managed online deployments


@dataclass(frozen=True)
class ChatReply:
    text: str
    latency_s: float  # request sent → whole reply received
    request: dict  # {"url", "headers" (key masked), "json"}: safe to show and export
    raw_response: Any  # the decoded body (the SSE events when streamed)
    first_token_s: float | None = None  # streamed replies: request sent → first text
    streamed: bool = False
    status_code: int = 200
    extra: dict = field(default_factory=dict, hash=False, compare=False)


def build_request(
    messages: list[dict[str, str]], parameters: dict[str, Any], *, stream: bool = False
) -> dict:
    """The Azure ML chat scoring body; "stream" is the local endpoints' extension."""
    parameters = dict(parameters)
    if stream:
        parameters["stream"] = True
    return {"input_data": {"input_string": list(messages), "parameters": parameters}}


def mask_key(key: str) -> str:
    """Enough to tell keys apart, not enough to use one."""
    return "••••" + key[-4:] if len(key) > 8 else "••••"


def request_headers(target: ScoringTarget, *, masked: bool = False) -> dict[str, str]:
    key = mask_key(target.key) if masked else target.key
    return {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {key}",
        **target.headers,
    }


class ChatCall:
    """One request to an endpoint. Iterate it for reply text; then read `reply`."""

    def __init__(
        self,
        target: ScoringTarget,
        messages: list[dict[str, str]],
        parameters: dict[str, Any],
        *,
        session: requests.Session | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        stream: bool | None = None,
    ) -> None:
        self.target = target
        self.stream = target.streams if stream is None else stream
        self.body = build_request(messages, parameters, stream=self.stream)
        self.session = session or requests.Session()
        self.timeout_s = timeout_s
        self.reply: ChatReply | None = None

    def __iter__(self) -> Iterator[str]:
        if self.stream:
            yield from self._streamed()
        else:
            reply = self._single()
            yield reply.text

    def run(self) -> ChatReply:
        """Send and wait for the whole reply."""
        for _ in self:
            pass
        assert self.reply is not None
        return self.reply

    def shown_request(self) -> dict:
        """The exact request, key masked."""
        return {
            "url": self.target.scoring_uri,
            "headers": request_headers(self.target, masked=True),
            "json": self.body,
        }

    def _post(self, *, stream: bool) -> requests.Response:
        try:
            response = self.session.post(
                self.target.scoring_uri,
                data=json.dumps(self.body),
                headers=request_headers(self.target),
                timeout=self.timeout_s,
                stream=stream,
            )
        except requests.Timeout as error:
            raise EndpointError(
                f"No reply from the endpoint within {self.timeout_s:g} s.",
                "The model may still be loading or busy: wait a minute and retry, or ask for "
                "fewer max_new_tokens.",
            ) from error
        except requests.ConnectionError as error:
            raise EndpointError(
                f"Cannot reach the endpoint at {self.target.scoring_uri}.",
                "Check that it is running (Deploy page or `python -m services endpoints list`); "
                "deploy it again if it was stopped.",
            ) from error
        if response.status_code >= 400:
            raise http_error(response)
        return response

    def _single(self) -> ChatReply:
        started = time.perf_counter()
        response = self._post(stream=False)
        raw = _decoded(response)
        text = reply_text(raw)
        self.reply = ChatReply(
            text=text,
            latency_s=time.perf_counter() - started,
            request=self.shown_request(),
            raw_response=raw,
            status_code=response.status_code,
        )
        return self.reply

    def _streamed(self) -> Iterator[str]:
        started = time.perf_counter()
        response = self._post(stream=True)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            # the endpoint ignored the request to stream: read it like any reply
            raw = _decoded(response)
            self.reply = ChatReply(
                reply_text(raw), time.perf_counter() - started, self.shown_request(), raw
            )
            yield self.reply.text
            return
        events, pieces, first_token_s = [], [], None
        try:
            for event in server_events(response.iter_lines()):
                events.append(event)
                if event.get("delta"):
                    first_token_s = first_token_s or time.perf_counter() - started
                    pieces.append(event["delta"])
                    yield event["delta"]
                if event.get("error"):
                    raise EndpointError(
                        f"The endpoint failed while generating: {event['error']}",
                        "Retry; if it keeps failing, look at the endpoint's log.",
                    )
        except requests.RequestException as error:
            raise EndpointError(
                "The connection broke while the reply was streaming.",
                "Retry; check that the endpoint is still running.",
            ) from error
        finally:
            response.close()
        final: dict = next((e for e in reversed(events) if "output" in e), {})
        self.reply = ChatReply(
            text=final.get("output", "".join(pieces)),
            latency_s=time.perf_counter() - started,
            request=self.shown_request(),
            raw_response=events,
            first_token_s=first_token_s,
            streamed=True,
        )


def http_error(response: requests.Response) -> EndpointError:
    """What an error status means for someone chatting, and what to try."""
    status, detail = response.status_code, _error_detail(response)
    said = f" The endpoint said: {detail}" if detail else ""
    if status in (401, 403):
        return EndpointError(
            f"The endpoint refused the key ({status}).{said}",
            "Use the endpoint's current key (Azure: its primary key; local: Deploy page). "
            "If keys were regenerated, pick the endpoint again.",
        )
    if status == 404:
        return EndpointError(
            f"Nothing answers at {response.url} (404).{said}",
            "The endpoint or its deployment may have been deleted or renamed: refresh the "
            "endpoint list, and on Azure check the azureml-model-deployment header.",
        )
    if status == 408:
        # Azure ML online endpoints answer 408 when the model ran past the deployment's
        # request_timeout_ms (request settings; the studio's deployments allow 90 s).
        return EndpointError(
            f"The request timed out inside the endpoint (408): the model did not answer within "
            f"the deployment's request timeout.{said}",
            "Ask for fewer max_new_tokens or send a shorter conversation; on Azure a longer "
            "request_timeout_ms in the deployment's request settings also helps.",
        )
    if status == 424:
        return EndpointError(
            f"The model failed inside the deployment (424).{said}",
            "Look at the deployment logs (Deploy page). Often the prompt is too long or memory "
            "ran out: try a shorter conversation or fewer max_new_tokens.",
        )
    if status == 429:
        return EndpointError(
            f"Too many requests right now (429).{said}",
            "Wait a few seconds and send again, or give the deployment more instances.",
        )
    if status == 400:
        return EndpointError(f"The endpoint rejected the request (400).{said}", "Fix the request.")
    return EndpointError(
        f"The endpoint answered with an error ({status}).{said}",
        "Retry in a moment; if it persists, look at the endpoint's logs.",
    )


def _decoded(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _error_detail(response: requests.Response) -> str:
    body = _decoded(response)
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if value:
                return str(value)[:300]
    return str(body).strip()[:300]
