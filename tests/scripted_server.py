"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API from a script.

It replays scripted replies in order (plain JSON or streaming SSE, text and/or `tool_calls`, `usage`,
error statuses on demand) and records every request it receives, so tests can assert both what the
agent did and exactly what it sent.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Self, TypeVar


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    """(tool name, arguments as a dict, or as raw text to send malformed JSON)."""
    status: int = 200
    error_message: str = "scripted error"
    prompt_tokens: int | None = None
    completion_tokens: int = 7
    model: str = "scripted-model"
    system_fingerprint: str | None = "fp_scripted"
    wait_for: threading.Event | None = None
    """Hold the response until this event is set (for cancellation tests)."""


def call(name: str, **arguments: Any) -> Reply:
    return Reply(tool_calls=[(name, arguments)])


ReplySource = Reply | Callable[[dict[str, Any]], Reply]
S = TypeVar("S")


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class LoopbackHTTPServer(Generic[S]):
    """A threaded HTTP server on 127.0.0.1 (a free port), served while used as a context manager,
    replaying a script of replies and recording every request."""

    chat_path = "/chat/completions"
    """Requests to paths ending so are the chat requests."""

    def __init__(self, script: list[S] | None = None) -> None:
        self.script: list[S] = list(script or [])
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, *replies: S) -> None:
        with self._lock:
            self.script.extend(replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.split("?")[0].rstrip("/").endswith(self.chat_path)]


class ScriptedModelServer(LoopbackHTTPServer[ReplySource]):
    def __init__(self, script: list[ReplySource] | None = None, chunk_size: int = 8) -> None:
        super().__init__(script)
        self.chunk_size = chunk_size
        self.request_arrived = threading.Condition()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self.request_arrived:
            while len(self.chat_requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.request_arrived.wait(remaining)
        return True

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if not self.script:
                return Reply(status=400, error_message="the scripted model server has no reply left")
            source = self.script.pop(0)
        return source(body) if callable(source) else source

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "scripted-model", "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._json(400, {"error": {"message": "request body is not JSON"}})
                    return
                record = RecordedRequest(path=self.path, headers=dict(self.headers.items()), body=body)
                with server.request_arrived:
                    server.requests.append(record)
                    server.request_arrived.notify_all()
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                reply = server._next_reply(body)
                if reply.wait_for is not None:
                    reply.wait_for.wait(60)
                if reply.status != 200:
                    self._json(
                        reply.status,
                        {"error": {"message": reply.error_message, "type": "scripted", "code": reply.status}},
                    )
                    return
                prompt_tokens = reply.prompt_tokens if reply.prompt_tokens is not None else _rough_tokens(body)
                if body.get("stream"):
                    self._stream(reply, body, prompt_tokens)
                else:
                    self._json(200, _completion(reply, prompt_tokens))

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply, body: dict[str, Any], prompt_tokens: int) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                for chunk in _stream_chunks(reply, prompt_tokens, server.chunk_size, include_usage):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        return Handler


def _rough_tokens(body: dict[str, Any]) -> int:
    """About what a provider counts: the messages and the tool schemas."""
    return max(1, (len(json.dumps(body.get("messages", []))) + len(json.dumps(body.get("tools") or []))) // 4)


def _tool_call_payloads(reply: Reply) -> list[dict[str, Any]]:
    payloads = []
    for i, (name, arguments) in enumerate(reply.tool_calls):
        text = arguments if isinstance(arguments, str) else json.dumps(arguments)
        payloads.append(
            {
                "id": f"call_{uuid.uuid4().hex[:12]}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": text},
            }
        )
    return payloads


def _completion(reply: Reply, prompt_tokens: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    calls = _tool_call_payloads(reply)
    if calls:
        message["tool_calls"] = calls
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model,
        "system_fingerprint": reply.system_fingerprint,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": prompt_tokens + reply.completion_tokens,
        },
    }


def _stream_chunks(reply: Reply, prompt_tokens: int, size: int, include_usage: bool) -> list[dict[str, Any]]:
    ident = f"chatcmpl-{uuid.uuid4().hex[:12]}"
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": reply.model,
            "system_fingerprint": reply.system_fingerprint,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    chunks = [chunk({"role": "assistant", "content": ""})]
    text = reply.text
    for start in range(0, len(text), size):
        chunks.append(chunk({"content": text[start : start + size]}))
    calls = _tool_call_payloads(reply)
    for index, tc in enumerate(calls):
        arguments = tc["function"]["arguments"]
        chunks.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": tc["id"],
                            "type": "function",
                            "function": {"name": tc["function"]["name"], "arguments": ""},
                        }
                    ]
                }
            )
        )
        for start in range(0, len(arguments), size * 4):
            chunks.append(
                chunk(
                    {"tool_calls": [{"index": index, "function": {"arguments": arguments[start : start + size * 4]}}]}
                )
            )
    chunks.append(chunk({}, "tool_calls" if calls else "stop"))
    if include_usage:
        chunks.append(
            {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": reply.model,
                "choices": [],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": reply.completion_tokens,
                    "total_tokens": prompt_tokens + reply.completion_tokens,
                },
            }
        )
    return chunks
