"""A local endpoint: one process, one model, the Azure ML scoring contract on 127.0.0.1.

    python -m services.serving.server ENDPOINT_DIR

ENDPOINT_DIR (written by services.serving.local_endpoints) holds endpoint.json (what to load)
and key (the secret, owner-only, read on every request so a regenerated key replaces the
old one at once). This process binds a free port, records it in server.json
with status "loading", loads the model once, then "ready" and serves:

- GET /health: {"status": "ready", "generations": <requests in the loop>, "stopped":
  {"client_gone": n, "timeout": n}, ...} (no key needed; says nothing secret)
- POST /score: the contract in services/serving/contract.py. Every request needs
  `Authorization: Bearer <key>`; a missing or wrong key gets 401 before the body is read.

Requests generate together in one continuous-batching loop (services/serving/batching.py).
Every request is bounded (services/serving/limits.py): body size (413), message count, prompt
tokens against the model's context, max_new_tokens (400), and time (504 after the timeout,
90 s by default). A request whose client goes away, or that runs out of time, is cancelled at
the next step, so the model is never held for nobody.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from services.atomic_files import read_json, write_json
from services.serving import endpoint_record
from services.serving.contract import ContractError, parse_request
from services.serving.endpoint_record import EndpointRecord
from services.serving.limits import Limits, named

log = logging.getLogger("services.serving.server")

POLL_S = 0.1  # how often a waiting request checks its client and its deadline
CLIENT_GONE = 499  # nginx's "client closed request": nobody reads it, the log does


def create_app(engine, key: Callable[[], str], *, description: dict, limits: Limits) -> FastAPI:
    """The HTTP app around a BatchingEngine (anything with its submit / prompt_ids / text).

    `key` returns the current key; it is called per request (the key can be regenerated).
    """
    app = FastAPI(title="Fine-Tune Studio local endpoint", docs_url=None, redoc_url=None)
    started = time.time()
    stopped = Counter(client_gone=0, timeout=0)  # generations cancelled before their end

    @app.get("/health")
    def health() -> dict:
        return {
            "status": "ready" if engine.is_running() else "broken",
            "uptime_s": round(time.time() - started, 1),
            "generations": engine.generations(),
            "stopped": dict(stopped),
            **description,
        }

    @app.post("/score")
    async def score(request: Request):
        if not _authorized(request, key()):
            return JSONResponse(
                {"error": "Missing or wrong key: send 'Authorization: Bearer <key>'."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body = await _read_body(request, limits.max_body_bytes)
        if body is None:
            return _error(
                f"The body is over the endpoint's limit, "
                f"{named('max_body_bytes', limits.max_body_bytes)}: send a shorter conversation.",
                413,
            )
        try:
            scoring = parse_request(_decode_json(body), limits)
            # Off the event loop: a long conversation takes a while to tokenize.
            prompt_ids = await run_in_threadpool(_prompt_ids, engine, scoring.messages)
            _check_prompt(len(prompt_ids), scoring.parameters["max_new_tokens"], engine, limits)
        except ContractError as error:
            return _error(str(error), 400)
        stream = scoring.stream or "text/event-stream" in request.headers.get("accept", "")
        generation = engine.submit(prompt_ids, scoring.parameters, stream=stream)
        if stream:
            events = _stream_events(engine, generation, limits.timeout_s, stopped)
            return StreamingResponse(events, media_type="text/event-stream")
        return await _whole_reply(engine, generation, request, limits.timeout_s, stopped)

    return app


def _authorized(request: Request, key: str) -> bool:
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    return bool(key) and scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip(), key)


def _read_key(key_file: Path) -> str:
    """The current key; "" (every request refused) when the file is gone (being deleted)."""
    try:
        return key_file.read_text().strip()
    except OSError:
        return ""


def _error(message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


async def _read_body(request: Request, max_bytes: int) -> bytes | None:
    """The body, or None as soon as it is over `max_bytes` (never held whole when it is)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _decode_json(body: bytes):
    try:
        return json.loads(body)
    except RecursionError as error:
        raise ContractError("The body is nested too deeply to be a scoring request.") from error
    except ValueError as error:  # bad JSON or bad UTF-8
        raise ContractError(f"The body is not valid JSON: {error}.") from error


def _prompt_ids(engine, messages: list[dict[str, str]]) -> list[int]:
    try:
        return engine.prompt_ids(messages)
    except Exception as error:  # e.g. a chat template that refuses a role order
        raise ContractError(
            f"The model's chat template refused the conversation: {error}"
        ) from error


def _check_prompt(prompt_tokens: int, max_new_tokens: int, engine, limits: Limits) -> None:
    if prompt_tokens > limits.max_prompt_tokens:
        raise ContractError(
            f"The conversation is {prompt_tokens} tokens, over the endpoint's limit "
            f"{named('max_prompt_tokens', limits.max_prompt_tokens)}: shorten it."
        )
    room = min(engine.context_tokens, limits.cache_tokens)
    if prompt_tokens + max_new_tokens > room:
        raise ContractError(
            f"The conversation ({prompt_tokens} tokens) plus max_new_tokens ({max_new_tokens}) "
            f"is over the model's context length of {room} tokens: shorten the conversation "
            f"or ask for fewer new tokens."
        )


def _timeout_message(timeout_s: float) -> str:
    return (
        f"Generation took longer than the endpoint's request timeout, "
        f"{named('timeout_s', timeout_s)}, and was stopped: ask for fewer max_new_tokens."
    )


async def _whole_reply(
    engine, generation, request: Request, timeout_s: float, stopped: Counter
) -> Response:
    deadline = time.monotonic() + timeout_s
    reason = "client_gone"  # why it is stopped, if it is still generating when we leave
    try:
        while True:
            output = await generation.next(POLL_S)
            if output is not None and output.is_finished():
                if output.error:
                    log.error("generation failed: %s", output.error)
                    return _error(f"Generation failed: {output.error}", 500)
                text = engine.text(output.generated_tokens).strip()
                return JSONResponse({"output": text, "usage": _usage(output)})
            if await request.is_disconnected():
                return Response(status_code=CLIENT_GONE)
            if time.monotonic() > deadline:
                reason = "timeout"
                return _error(_timeout_message(timeout_s), 504)
            if not engine.is_running():
                return _error(
                    "Generation failed: the generation loop stopped (see server.log).", 500
                )
    finally:
        _close(generation, reason, stopped)


async def _stream_events(engine, generation, timeout_s: float, stopped: Counter):
    """Server-Sent Events: {"delta"} per piece of text, then {"output", "usage", "done"}.

    When the client disconnects, Starlette cancels this generator; `finally` then cancels the
    generation at the loop's next step.
    """
    deadline = time.monotonic() + timeout_s
    reason = "client_gone"
    sent = ""
    try:
        while True:
            if time.monotonic() > deadline:  # checked at every token, not only when idle
                reason = "timeout"
                yield _event({"error": _timeout_message(timeout_s), "done": True})
                return
            output = await generation.next(POLL_S)
            if output is None:
                if not engine.is_running():
                    yield _event({"error": "Generation failed: the loop stopped.", "done": True})
                    return
                continue
            if output.error:
                yield _event({"error": f"Generation failed: {output.error}", "done": True})
                return
            text = engine.text(output.generated_tokens)
            # Mid-reply, wait for a whole character: a token can end inside a multi-byte one.
            whole = output.is_finished() or not text.endswith("\ufffd")
            if whole and text.startswith(sent) and len(text) > len(sent):
                yield _event({"delta": text[len(sent) :]})
                sent = text
            if output.is_finished():
                yield _event({"output": text.strip(), "usage": _usage(output), "done": True})
                return
    finally:
        _close(generation, reason, stopped)


def _close(generation, reason: str, stopped: Counter) -> None:
    """Forget the request; when it was still generating, it is stopped now: count why."""
    if generation.close():
        stopped[reason] += 1
        log.info("generation %s stopped: %s", generation.id, reason)


def _usage(output) -> dict:
    return {
        "prompt_tokens": len(output.prompt_ids),
        "completion_tokens": len(output.generated_tokens),
    }


def _event(payload: dict) -> str:
    return f"data: {json.dumps(payload)}\n\n"


class _NoQueryString(logging.Filter):
    """Access log lines without the query string: a key sent there must not reach server.log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            args[2] = str(args[2]).split("?", 1)[0]
            record.args = tuple(args)
        return True


def _limit_cpu_threads() -> None:
    """Half the cores by default (STUDIO_SERVE_THREADS overrides)."""
    from services.local.threads import cap_torch_threads, cpu_cores

    cap_torch_threads("STUDIO_SERVE_THREADS", max(1, cpu_cores() // 2))


def _load_model(record: EndpointRecord):
    """A ChatModel for a registered version (via MLflow) or a bare base model."""
    _limit_cpu_threads()
    if record.kind == "registered":
        import mlflow

        mlflow.set_tracking_uri(record.tracking_uri)
        mlflow.set_registry_uri(record.tracking_uri)
        return mlflow.pyfunc.load_model(record.model_uri).unwrap_python_model()
    from services.serving.chat_model import ChatModel

    model = ChatModel()
    model.load(record.base_model_path)
    return model


def _write_status(endpoint_dir: Path, **fields) -> None:
    path = endpoint_dir / "server.json"
    write_json(path, {**read_json(path), **fields}, indent=None)


def serve(endpoint_dir: Path) -> None:
    import uvicorn

    record = endpoint_record.load(endpoint_dir)
    key_file = endpoint_dir / "key"
    key_file.read_text()  # fail now, not at the first request, when it is unreadable
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", record.port or 0))
    port = sock.getsockname()[1]
    _write_status(endpoint_dir, pid=os.getpid(), port=port, status="loading")
    try:
        from services.serving.batching import BatchingEngine

        limits = Limits.from_env()  # a bad STUDIO_SERVE_* value fails the deploy, saying which
        started = time.monotonic()
        model = _load_model(record)
        engine = BatchingEngine(model.model, model.tokenizer, limits)
        log.info("model loaded in %.1f s; %s", time.monotonic() - started, limits)
    except Exception as error:
        log.exception("could not load the model")
        _write_status(endpoint_dir, status="failed", error=f"{type(error).__name__}: {error}")
        raise SystemExit(1) from error
    description = {"model": record.model_name, "version": record.model_version}
    app = create_app(engine, lambda: _read_key(key_file), description=description, limits=limits)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", timeout_graceful_shutdown=5))
    logging.getLogger("uvicorn.access").addFilter(_NoQueryString())  # after uvicorn's own setup
    _write_status(endpoint_dir, status="ready", ready_at=time.time())
    try:
        server.run(sockets=[sock])
    finally:
        engine.stop()  # its loop thread would keep the process alive


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve one model on the Azure ML contract.")
    parser.add_argument("endpoint_dir", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    serve(args.endpoint_dir)


if __name__ == "__main__":
    main()
