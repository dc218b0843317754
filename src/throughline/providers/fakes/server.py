"""A fake OpenAI-compatible server on loopback (a real HTTP server on 127.0.0.1).

It answers ``POST /v1/chat/completions`` the way an OpenAI-compatible server does: with a
tool call when the request offers tools, with JSON content when it asks for a
``json_schema`` response format, and with text otherwise. Replies come from a queue of
scripted :class:`HTTPReply`/dicts, then from a responder (default :class:`FakeAdvisor`).
Every request is kept (path, lower-cased headers, JSON body) for assertions.

Real servers' shortcomings, on request:

* ``faults=ServerFaults(rate=0.3)`` — a share of requests gets a 429 with Retry-After, a
  500/502/503, a reply held past the client's timeout, or a 200 whose JSON body is cut
  short. Which requests is decided by a hash of the seed, the request body and how often
  that body was seen, so concurrent runs fault the same requests whatever the arrival
  order; ``max_in_a_row`` caps the faults one request can meet in a row.
* ``refuse={"json_schema"}`` — a 400 for ``response_format`` JSON schema, as servers
  without structured output send (older vLLM); ``refuse={"tools"}`` — vLLM's 400 when it
  was started without a tool-call parser.
* ``ignore_schema=True`` — ``response_format`` is accepted and ignored: the reply is prose
  (Ollama's cloud models).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from throughline.providers.fakes.responders import FakeAdvisor, SeenRequest

Responder = Callable[[SeenRequest], dict[str, Any] | str]


@dataclass
class HTTPReply:
    """A raw HTTP reply (use for errors: ``HTTPReply(429, {...}, {"retry-after": "2"})``)."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


SERVER_FAULTS = ("rate_limited", "server_error", "timeout", "truncated")


@dataclass
class ServerFaults:
    """Faults the fake server injects (see the module docstring)."""

    rate: float = 0.3
    seed: int = 0
    kinds: tuple[str, ...] = SERVER_FAULTS
    retry_after: float = 1.0
    hang_s: float = 2.0
    """How long a ``timeout`` holds its reply: set the client's timeout below it."""
    max_in_a_row: int | None = None
    injected: list[str | None] = field(default_factory=list)
    _seen: Counter[str] = field(default_factory=Counter)
    _streak: Counter[str] = field(default_factory=Counter)

    def draw(self, body: dict[str, Any]) -> str | None:
        """The fault for this request (``None``: answer it), deterministic per request."""
        key = json.dumps(body, sort_keys=True)
        self._seen[key] += 1
        digest = hashlib.sha256(f"{self.seed}|{self._seen[key]}|{key}".encode()).digest()
        roll = int.from_bytes(digest[:8], "big") / 2**64
        kind = self.kinds[digest[8] % len(self.kinds)] if roll < self.rate else None
        if kind is not None and self.max_in_a_row is not None:
            if self._streak[key] >= self.max_in_a_row:
                kind = None
        self._streak[key] = self._streak[key] + 1 if kind else 0
        self.injected.append(kind)
        return kind

    def reply(self, kind: str) -> HTTPReply | None:
        """The HTTP reply of fault ``kind`` (``truncated`` and ``timeout`` are handled by the
        server: they need the real answer, or time)."""
        if kind == "rate_limited":
            return HTTPReply(429, {"error": {"message": "Rate limit reached (injected)",
                                             "type": "rate_limit_error"}},
                             {"retry-after": f"{self.retry_after:g}"})
        if kind == "server_error":
            return HTTPReply(503, {"error": {"message": "The server is overloaded (injected)",
                                             "type": "server_error"}})
        return None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (its timeout) closes the socket under a held reply: not
        an error worth a traceback on the test's stderr."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class SeenHTTP:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeOpenAIServer:
    """``with FakeOpenAIServer() as server: ... server.base_url ...``"""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        faults: ServerFaults | None = None,
        refuse: Iterable[str] = (),
        ignore_schema: bool = False,
    ) -> None:
        self.responder: Responder = responder or FakeAdvisor()
        self.faults = faults
        self.refuse = frozenset(refuse)
        self.ignore_schema = ignore_schema
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

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
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
        refused = self._refusal(body)
        if refused is not None:
            return refused
        with self._lock:
            fault = self.faults.draw(body) if self.faults is not None else None
        if fault is not None and self.faults is not None:
            injected = self.faults.reply(fault)
            if injected is not None:
                return injected
            if fault == "timeout":
                time.sleep(self.faults.hang_s)  # the client has given up by now
        seen = _seen(body)
        if self.ignore_schema and seen.mode == "native":
            seen.mode = "text"  # the schema is accepted and not applied
            answer: dict[str, Any] | str = _prose(self.responder(seen))
        else:
            answer = scripted if scripted is not None else self.responder(seen)
        completion = _completion(body, seen, answer)
        if fault == "truncated":
            text = json.dumps(completion)
            return HTTPReply(200, text[: len(text) // 2])
        return HTTPReply(200, completion)

    def _refusal(self, body: dict[str, Any]) -> HTTPReply | None:
        fmt = (body.get("response_format") or {}).get("type")
        if "json_schema" in self.refuse and fmt == "json_schema":
            return HTTPReply(400, {"error": {
                "message": "response_format of type 'json_schema' is not supported by this "
                           "server", "type": "invalid_request_error", "param": "response_format"}})
        if "tools" in self.refuse and body.get("tools"):
            return HTTPReply(400, {"error": {
                "message": '"auto" tool choice requires --enable-auto-tool-choice and '
                           "--tool-call-parser to be set", "type": "BadRequestError"}})
        return None


def _prose(answer: dict[str, Any] | str) -> str:
    """What a server that ignores the JSON schema says instead: the gist, in prose."""
    if isinstance(answer, str):
        return answer
    text = answer.get("text") or answer.get("verdict") or "I would look at the evidence first"
    return f"Here is my view. {text}"


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
