"""A local endpoint: one process, one model, the Azure ML scoring contract on 127.0.0.1.

    python -m services.serving.server ENDPOINT_DIR

ENDPOINT_DIR (written by services.serving.local_endpoints) holds endpoint.json (what to load)
and key (the secret, owner-only). This process binds a free port, records it in server.json
with status "loading", loads the model once, then "ready" and serves:

- GET /health: {"status": "ready", ...} (no key needed; says nothing secret)
- POST /score: the contract in services/serving/contract.py. Every request needs
  `Authorization: Bearer <key>`; a missing or wrong key gets 401 before the body is read.

Generation runs one request at a time (a lock): concurrent requests wait their turn instead
of competing for the same cores and memory.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from services.serving.contract import ContractError, parse_request

log = logging.getLogger("services.serving.server")


def create_app(model, key: str, *, description: dict) -> FastAPI:
    """The HTTP app around a loaded ChatModel (anything with `generate` and `tokenizer`)."""
    app = FastAPI(title="Fine-Tune Studio local endpoint", docs_url=None, redoc_url=None)
    generation_lock = threading.Lock()
    started = time.time()

    @app.get("/health")
    def health() -> dict:
        return {"status": "ready", "uptime_s": round(time.time() - started, 1), **description}

    @app.post("/score")
    async def score(request: Request):
        if not _authorized(request, key):
            return JSONResponse(
                {"error": "Missing or wrong key: send 'Authorization: Bearer <key>'."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _bad_request("The body is not valid JSON.")
        try:
            scoring = parse_request(body)
        except ContractError as error:
            return _bad_request(str(error))
        wants_stream = scoring.stream or "text/event-stream" in request.headers.get("accept", "")
        if wants_stream:
            events = _stream_events(model, generation_lock, scoring.messages, scoring.parameters)
            return StreamingResponse(events, media_type="text/event-stream")
        return await _run_in_thread(_generate, model, generation_lock, scoring)

    return app


def _authorized(request: Request, key: str) -> bool:
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip(), key)


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _run_in_thread(function, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def _generate(model, lock: threading.Lock, scoring) -> JSONResponse:
    try:
        with lock:
            output = model.generate(scoring.messages, scoring.parameters)
    except Exception as error:  # a generation failure is the model's fault, not the client's
        log.exception("generation failed")
        return JSONResponse({"error": f"Generation failed: {error}"}, status_code=500)
    return JSONResponse({"output": output})


def _stream_events(model, lock: threading.Lock, messages: list, parameters: dict):
    """Server-Sent Events: {"delta"} per piece of text, then {"output", "done"}."""
    from transformers import TextIteratorStreamer

    streamer = TextIteratorStreamer(model.tokenizer, skip_prompt=True, skip_special_tokens=True)
    stop = threading.Event()
    result: dict = {}

    def work() -> None:
        try:
            with lock:
                result["output"] = model.generate(
                    messages, parameters, streamer=streamer, stop=stop
                )
        except Exception as error:
            log.exception("generation failed")
            result["error"] = f"Generation failed: {error}"
            streamer.end()

    worker = threading.Thread(target=work, name="generate", daemon=True)
    worker.start()
    try:
        for piece in streamer:
            if piece:
                yield _event({"delta": piece})
        worker.join()  # the streamer ends just before generate returns the whole text
        yield _event({**result, "done": True})
    finally:
        stop.set()  # the client went away (or we are done): free the model for the next one


def _event(payload: dict) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def _limit_cpu_threads() -> None:
    """Half the cores by default (STUDIO_SERVE_THREADS overrides)."""
    from services.local.threads import cap_torch_threads, cpu_cores

    cap_torch_threads("STUDIO_SERVE_THREADS", max(1, cpu_cores() // 2))


def _load_model(spec: dict):
    """A ChatModel for a registered version (via MLflow) or a bare base model."""
    _limit_cpu_threads()
    if spec["kind"] == "registered":
        import mlflow

        mlflow.set_tracking_uri(spec["tracking_uri"])
        mlflow.set_registry_uri(spec["tracking_uri"])
        return mlflow.pyfunc.load_model(spec["model_uri"]).unwrap_python_model()
    from services.serving.chat_model import ChatModel

    model = ChatModel()
    model.load(spec["base_model_path"])
    return model


def _write_status(endpoint_dir: Path, **fields) -> None:
    path = endpoint_dir / "server.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({**current, **fields}))
    temporary.replace(path)  # readers never see half a file


def serve(endpoint_dir: Path) -> None:
    import uvicorn

    spec = json.loads((endpoint_dir / "endpoint.json").read_text())
    key = (endpoint_dir / "key").read_text().strip()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", spec.get("port") or 0))
    port = sock.getsockname()[1]
    _write_status(endpoint_dir, pid=os.getpid(), port=port, status="loading")
    try:
        started = time.monotonic()
        model = _load_model(spec)
        log.info("model loaded in %.1f s", time.monotonic() - started)
    except Exception as error:
        log.exception("could not load the model")
        _write_status(endpoint_dir, status="failed", error=f"{type(error).__name__}: {error}")
        raise SystemExit(1) from error
    description = {"model": spec.get("model_name", ""), "version": spec.get("model_version", "")}
    app = create_app(model, key, description=description)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", timeout_graceful_shutdown=5))
    _write_status(endpoint_dir, status="ready", ready_at=time.time())
    server.run(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve one model on the Azure ML contract.")
    parser.add_argument("endpoint_dir", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    serve(args.endpoint_dir)


if __name__ == "__main__":
    main()
