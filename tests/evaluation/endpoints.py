"""Real HTTP endpoints on 127.0.0.1 for evaluation tests: a judge or a comparator.

`serve(answer)` starts a server speaking the scoring contract (`{"output": ...}`) or, with
`api="openai"`, OpenAI's chat completions (`{"choices": [{"message": {"content": ...}}]}`).
`answer(question)` returns the reply text, or (status, body) to answer with an error. Requests
without `Authorization: Bearer KEY` get 401. Every request body is kept in `server.requests`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from services.backends.base import ScoringTarget
from services.evaluation.remote import Remote

KEY = "judge-key-123456"


def serve(answer, api: str = "scoring") -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            server.requests.append(body)
            messages = body["messages"] if api == "openai" else body["input_data"]["input_string"]
            if self.headers.get("Authorization") != f"Bearer {KEY}":
                status, reply = 401, {"detail": "bad key"}
            else:
                answered = answer(messages[-1]["content"])
                if isinstance(answered, tuple):
                    status, reply = answered
                elif api == "openai":
                    status, reply = 200, {"choices": [{"message": {"content": answered}}]}
                else:
                    status, reply = 200, {"output": answered}
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.requests = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def url(server) -> str:
    return f"http://127.0.0.1:{server.server_port}/score"


def remote(server, key: str = KEY, label: str = "fake-judge") -> Remote:
    return Remote(label, ScoringTarget(url(server), key))


def stop(server) -> None:
    server.shutdown()
    server.server_close()
