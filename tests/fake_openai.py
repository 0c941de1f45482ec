"""A real HTTP server on 127.0.0.1 that speaks OpenAI chat completions, for tests.

    with FakeOpenAI([Status(429, retry_after=1), Reply("Paris [1].")]) as server:
        settings = settings.replace(openai_base_url=server.base_url, openai_api_key="sk-test")
        ...
        assert len(server.requests) == 2

Each request consumes the next scripted behaviour; when the script runs out the last
one repeats. A behaviour may be a callable taking the request body and returning a
reply text, so replies can depend on what was asked. Both plain JSON and streaming
(server-sent events) replies follow the request's `stream` flag.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Union


@dataclass
class Reply:
    """A normal completion with this text (split into word tokens when streamed)."""

    text: str


@dataclass
class Status:
    """An error status with an OpenAI-style error body."""

    code: int
    retry_after: float | None = None
    message: str = "scripted failure"


@dataclass
class Hang:
    """Sleep (until the server stops, at most `seconds`) before replying."""

    seconds: float
    then: Reply = field(default_factory=lambda: Reply("Too late [1]."))


@dataclass
class CutStream:
    """Start a streamed reply, send `after` tokens, then drop the connection."""

    text: str
    after: int = 3


Behaviour = Union[Reply, Status, Hang, CutStream, Callable[[dict], str]]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict
    at: float  # time.monotonic() when it arrived


def tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


class FakeOpenAI:
    def __init__(self, script: list[Behaviour] | None = None, model: str = "fake-model"):
        self.script = list(script or [Reply("The documents don't answer this.")])
        self.model = model
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "FakeOpenAI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                try:
                    fake._handle(self, body)
                except OSError:  # the client gave up (timeout) or the server is stopping
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]  # kept after stop, for "unreachable" tests
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def prompts(self) -> list[str]:
        """The text of every message of every request, joined, in arrival order."""
        return ["\n".join(m.get("content", "") for m in r.body.get("messages", [])) for r in self.requests]

    # -- serving ---------------------------------------------------------------
    def _next(self, handler, body: dict) -> Behaviour:
        with self._lock:
            self.requests.append(Request(handler.path, dict(handler.headers), body, time.monotonic()))
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _handle(self, handler, body: dict) -> None:
        behaviour = self._next(handler, body)
        if not handler.path.rstrip("/").endswith("/chat/completions"):
            return self._json(handler, 404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        if isinstance(behaviour, Hang):
            self._stopping.wait(behaviour.seconds)
            behaviour = behaviour.then
        if isinstance(behaviour, Status):
            headers = {"Retry-After": f"{behaviour.retry_after:g}"} if behaviour.retry_after is not None else {}
            kind = "rate_limit_error" if behaviour.code == 429 else "server_error"
            return self._json(handler, behaviour.code, {"error": {"message": behaviour.message, "type": kind}}, headers)
        if callable(behaviour):
            behaviour = Reply(behaviour(body))
        if isinstance(behaviour, CutStream):
            return self._stream(handler, tokens(behaviour.text)[: behaviour.after], finish=False)
        if body.get("stream"):
            return self._stream(handler, tokens(behaviour.text), finish=True)
        return self._json(handler, 200, self._completion(behaviour.text))

    def _completion(self, text: str) -> dict:
        return {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def _json(self, handler, code: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def _stream(self, handler, pieces: list[str], finish: bool) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        if finish:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            # Promise far more bytes than will come, then drop the connection.
            handler.send_header("Content-Length", "1000000")
        handler.end_headers()

        def event(delta: dict, finish_reason=None) -> bytes:
            chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": self.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
            return f"data: {json.dumps(chunk)}\n\n".encode()

        def send(data: bytes) -> None:
            if finish:
                handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            else:
                handler.wfile.write(data)
            handler.wfile.flush()

        send(event({"role": "assistant", "content": ""}))
        for piece in pieces:
            send(event({"content": piece}))
        if not finish:
            handler.close_connection = True
            return
        send(event({}, "stop"))
        send(b"data: [DONE]\n\n")
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
