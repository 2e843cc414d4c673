"""A log of the websocket messages between a test's page and the app, decoded.

A failure seen only in CI needs to say what the app did around it (choose()'s closing list was
one: its log showed that the app sent nothing then, so the cause was in the browser). The page
fixture follows every page's messages (the last MAX_LINES) and writes them to test-artifacts/
beside the screenshot of a failed test; go_to() and choose() mark their steps in it.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from weakref import WeakKeyDictionary

from playwright.sync_api import Page, WebSocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

MAX_LINES = 500
_LOGS: WeakKeyDictionary[Page, MessageLog] = WeakKeyDictionary()


class MessageLog:
    """Each message as one line: seconds since the page opened, direction, what it is."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._lines: deque[str] = deque(maxlen=MAX_LINES)

    def mark(self, text: str) -> None:
        """A line of the test's own (what it is about to do)."""
        self._add("test", text)

    def follow(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: self._add("sent", _back_message(payload)))
        socket.on("framereceived", lambda payload: self._add("recv", _forward_message(payload)))

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self._lines) + "\n", encoding="utf-8")

    def _add(self, direction: str, text: str) -> None:
        self._lines.append(f"{time.monotonic() - self._started:9.3f} {direction:4} {text}")


def follow_messages(page: Page) -> MessageLog:
    log = MessageLog()
    page.on("websocket", log.follow)
    _LOGS[page] = log
    return log


def message_log(page: Page) -> MessageLog | None:
    return _LOGS.get(page)


def _back_message(payload: bytes | str) -> str:
    message = BackMsg()
    try:
        message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
    except Exception as error:  # a log line, whatever arrives
        return f"undecoded ({error})"
    kind = message.WhichOneof("type")
    if kind != "rerun_script":
        return str(kind)
    rerun = message.rerun_script
    triggers = [
        widget.id.rsplit("-", 1)[-1]
        for widget in rerun.widget_states.widgets
        if widget.WhichOneof("value") in ("trigger_value", "string_trigger_value")
    ]
    return (
        f"rerun_script page={rerun.page_script_hash[:8]!r} fragment={rerun.fragment_id!r} "
        f"auto={rerun.is_auto_rerun} widgets={len(rerun.widget_states.widgets)} "
        f"triggers={triggers}"
    )


def _forward_message(payload: bytes | str) -> str:
    message = ForwardMsg()
    try:
        message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
    except Exception as error:
        return f"undecoded ({error})"
    kind = message.WhichOneof("type")
    if kind == "delta":
        delta = message.delta
        what = delta.WhichOneof("type")
        if what == "new_element":
            what = f"new_element {delta.new_element.WhichOneof('type')}"
        return f"delta {what} at {list(message.metadata.delta_path)}"
    if kind in ("script_finished", "session_status_changed", "auto_rerun"):
        return f"{kind} {str(getattr(message, kind)).replace(chr(10), ' ').strip()}"
    return str(kind)
