"""A fake OpenAI-compatible server on loopback (a real HTTP server on 127.0.0.1).

It answers ``POST /v1/chat/completions`` the way an OpenAI-compatible server does: with a
tool call when the request offers tools, with JSON content when it asks for a
``json_schema`` response format, and with text otherwise. Replies come from a queue of
scripted :class:`HTTPReply`/dicts, then from a responder (default :class:`FakeAdvisor`).
Every request is kept (path, lower-cased headers, JSON body) for assertions.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from throughline.models.fakes.responders import FakeAdvisor, SeenRequest

Responder = Callable[[SeenRequest], dict[str, Any] | str]


@dataclass
class HTTPReply:
    """A raw HTTP reply (use for errors: ``HTTPReply(429, {...}, {"retry-after": "2"})``)."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SeenHTTP:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeOpenAIServer:
    """``with FakeOpenAIServer() as server: ... server.base_url ...``"""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder: Responder = responder or FakeAdvisor()
        self.queue: deque[HTTPReply | dict[str, Any] | str] = deque()
        self.requests: list[SeenHTTP] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"FakeOpenAIServer({self.base_url if self._server else 'stopped'})"

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake server is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = owner._handle(self.path, headers, body)
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                payload = data.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # silence stderr
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- replies -------------------------------------------------------------------------

    def _handle(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> HTTPReply:
        with self._lock:
            self.requests.append(SeenHTTP(path, headers, body))
            scripted = self.queue.popleft() if self.queue else None
        if not path.rstrip("/").endswith("/chat/completions"):
            return HTTPReply(404, {"error": {"message": f"no route {path}"}})
        if isinstance(scripted, HTTPReply):
            return scripted
        seen = _seen(body)
        answer = scripted if scripted is not None else self.responder(seen)
        return HTTPReply(200, _completion(body, seen, answer))


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _seen(body: dict[str, Any]) -> SeenRequest:
    messages = body.get("messages", [])
    system = "\n".join(
        _text(m.get("content")) for m in messages if m.get("role") in ("system", "developer")
    )
    users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    tools = body.get("tools") or []
    fmt = (body.get("response_format") or {}).get("type")
    if tools:
        choice = body.get("tool_choice")
        name = (
            choice["function"]["name"]
            if isinstance(choice, dict) and "function" in choice
            else tools[0]["function"]["name"]
        )
        mode = "tool"
    else:
        name, mode = None, "native" if fmt == "json_schema" else "text"
    feedback = [_text(m.get("content")) for m in messages if m.get("role") == "tool"]
    return SeenRequest(
        instructions=system,
        prompt=users[0] if users else "",
        output_tool=name,
        mode=mode,
        retry_feedback=feedback,
    )


def _completion(
    body: dict[str, Any], seen: SeenRequest, answer: dict[str, Any] | str
) -> dict[str, Any]:
    text = answer if isinstance(answer, str) else json.dumps(answer)
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if seen.mode == "tool":
        message["tool_calls"] = [
            {
                "id": f"call_{len(seen.prompt) % 9973}",
                "type": "function",
                "function": {"name": seen.output_tool, "arguments": text},
            }
        ]
        finish = "tool_calls"
    else:
        message["content"] = text
        finish = "stop"
    prompt_chars = len(seen.instructions) + len(seen.prompt)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "finish_reason": finish, "message": message}],
        "usage": {
            "prompt_tokens": prompt_chars // 4,
            "completion_tokens": len(text) // 4 + 1,
            "total_tokens": prompt_chars // 4 + len(text) // 4 + 1,
        },
    }
