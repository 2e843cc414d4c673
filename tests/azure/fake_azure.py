"""A fake Azure: a requests adapter that answers the real azure-ai-ml SDK with real-shaped JSON.

The SDK is built with `transport=RequestsTransport(session=s, session_owner=False)`, so every
HTTP call it makes (registry discovery, ARM, run history, SAS log downloads) goes through the
`requests.Session` `s`. `FakeAzure` is mounted on `s` for https://: it records each request
and answers from a route table (method + URL regex -> JSON body or a callable). A request no
route matches gets an ARM-style 404 and is kept in `unmatched`, so a test can see what the SDK
asked for that the fake does not know yet.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from azure.core.credentials import AccessToken
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.response import HTTPResponse

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@dataclass
class Reply:
    """One HTTP answer. `body` may be a dict/list (sent as JSON), str or bytes."""

    status: int = 200
    body: Any = None
    headers: dict = field(default_factory=dict)


@dataclass
class SentRequest:
    method: str
    url: str
    headers: dict
    body: bytes | None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


Responder = Callable[[SentRequest, re.Match], "Reply | dict | list | str | bytes"]


def arm_error(status: int, code: str, message: str) -> Reply:
    """The error envelope ARM and the Azure ML services send."""
    return Reply(status, {"error": {"code": code, "message": message}})


class FakeAzure(BaseAdapter):
    """Route table + request log. Later routes win, so a test can override a default."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[tuple[str, re.Pattern, Any]] = []
        self.requests: list[SentRequest] = []
        self.unmatched: list[SentRequest] = []

    def on(self, method: str, url_pattern: str, answer: Any) -> None:
        """Answer `method` requests whose URL (without query) matches `url_pattern` (re.search)."""
        self.routes.append((method.upper(), re.compile(url_pattern), answer))

    def sent(self, method: str, url_pattern: str) -> list[SentRequest]:
        """Requests the SDK sent whose URL (without query) matches, in order."""
        pattern = re.compile(url_pattern)
        return [
            r
            for r in self.requests
            if r.method == method.upper() and pattern.search(r.url.split("?", 1)[0])
        ]

    # requests' adapter interface
    def send(self, request, **kwargs):  # noqa: ARG002 - requests passes stream/timeout/verify
        body = request.body.encode() if isinstance(request.body, str) else request.body
        if body is not None and not isinstance(body, bytes):
            body = b"".join(body)  # a generator body (uploads)
        sent = SentRequest(request.method.upper(), request.url, dict(request.headers), body)
        self.requests.append(sent)
        url = request.url.split("?", 1)[0]
        for method, pattern, answer in reversed(self.routes):
            match = pattern.search(url)
            if method == sent.method and match:
                reply = answer(sent, match) if callable(answer) else answer
                return _build_response(request, _as_reply(reply))
        self.unmatched.append(sent)
        return _build_response(
            request, arm_error(404, "NotFound", f"fake azure has no route for {sent.method} {url}")
        )

    def close(self) -> None:
        pass


def _as_reply(value: Any) -> Reply:
    return value if isinstance(value, Reply) else Reply(200, value)


def _build_response(request, reply: Reply) -> requests.Response:
    headers = dict(reply.headers)
    if isinstance(reply.body, bytes):
        data = reply.body
    elif isinstance(reply.body, str):
        data = reply.body.encode()
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
    elif reply.body is None:
        data = b""
    else:
        data = json.dumps(reply.body).encode()
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    headers["Content-Length"] = str(len(data))
    headers.setdefault("x-ms-request-id", "00000000-0000-0000-0000-000000000001")
    raw = HTTPResponse(
        body=io.BytesIO(data),
        headers=headers,
        status=reply.status,
        preload_content=False,
        decode_content=False,
    )
    return HTTPAdapter().build_response(request, raw)


USER_OID = "11111111-2222-3333-4444-555555555555"


def fake_jwt(audience: str, tenant_id: str = TENANT_ID, oid: str = USER_OID) -> str:
    """An unsigned JWT with the claims the SDK reads (aud, tid, oid)."""

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    claims = {
        "aud": audience,
        "tid": tenant_id,
        "oid": oid,
        "exp": int(time.time()) + 3600,
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2ln"


class FakeCredential:
    """A TokenCredential whose token's `aud` is the requested scope (the SDK checks it).

    `oid` names the signed-in account, so a test can tell whose token a request carried.
    """

    def __init__(self, oid: str = USER_OID) -> None:
        self.oid = oid
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs) -> AccessToken:  # noqa: ARG002
        self.scopes.extend(scopes)
        audience = scopes[0].removesuffix("/.default") if scopes else "https://management.azure.com"
        return AccessToken(fake_jwt(audience, oid=self.oid), int(time.time()) + 3600)

    def close(self) -> None:
        pass


def token_claims(authorization: str) -> dict:
    """The claims of a `Bearer <jwt>` header value made by fake_jwt."""
    payload = authorization.removeprefix("Bearer ").split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
