"""Real HTTP servers on 127.0.0.1 speaking the Anthropic Messages API (/v1/messages) and Ollama's
chat API (/api/chat, /api/tags, /api/show) from a script of `Reply`s, recording every request —
siblings of the OpenAI-speaking `ScriptedModelServer`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.scripted_server import LoopbackHTTPServer, RecordedRequest, Reply

OLLAMA_DIGEST = "sha256:" + "ab" * 32


class _ProviderServer(LoopbackHTTPServer[Reply]):
    chat_path = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def next_reply(self) -> Reply:
        with self._lock:
            return self.script.pop(0) if self.script else Reply(status=400, error_message="no reply left")

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        return 404, {"error": f"no route {path}"}

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | Iterator[bytes]:
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                self._send(*server.get(self.path))

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw or b"{}")
                with server._lock:
                    server.requests.append(RecordedRequest(self.path, dict(self.headers.items()), body))
                answer = server.post(self.path, body)
                if isinstance(answer, tuple):
                    self._send(*answer)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for piece in answer:
                    self.wfile.write(piece)
                    self.wfile.flush()
                self.close_connection = True

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


class AnthropicServer(_ProviderServer):
    """POST /v1/messages, plain JSON or the SSE event stream (message_start … message_stop)."""

    chat_path = "/v1/messages"

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | Iterator[bytes]:
        if not path.split("?")[0].endswith(self.chat_path):
            return 404, {"type": "error", "error": {"type": "not_found_error", "message": path}}
        reply = self.next_reply()
        if reply.status != 200:
            return reply.status, {"type": "error", "error": {"type": "api_error", "message": reply.error_message}}
        blocks = _anthropic_blocks(reply)
        input_tokens = reply.prompt_tokens or 50
        if not body.get("stream"):
            return 200, {
                "id": f"msg_{uuid.uuid4().hex[:12]}",
                "type": "message",
                "role": "assistant",
                "model": reply.model,
                "content": blocks,
                "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": input_tokens, "output_tokens": reply.completion_tokens},
            }
        return _anthropic_stream(reply, blocks, input_tokens)


def _anthropic_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
    for name, arguments in reply.tool_calls:
        payload = json.loads(arguments) if isinstance(arguments, str) else arguments
        blocks.append({"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:12]}", "name": name, "input": payload})
    return blocks


def _anthropic_stream(reply: Reply, blocks: list[dict[str, Any]], input_tokens: int) -> Iterator[bytes]:
    def event(kind: str, data: dict[str, Any]) -> bytes:
        return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()

    message = {
        "id": f"msg_{uuid.uuid4().hex[:12]}",
        "type": "message",
        "role": "assistant",
        "model": reply.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1},
    }
    yield event("message_start", {"message": message})
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            yield event("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}})
            yield event("content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": block["text"]}})
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            yield event("content_block_start", {"index": index, "content_block": start})
            partial = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
            yield event("content_block_delta", {"index": index, "delta": partial})
        yield event("content_block_stop", {"index": index})
    stop = "tool_use" if reply.tool_calls else "end_turn"
    yield event(
        "message_delta",
        {"delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": reply.completion_tokens}},
    )
    yield event("message_stop", {})


class OllamaServer(_ProviderServer):
    """POST /api/chat (JSON or NDJSON stream), GET /api/tags (digests), POST /api/show (num_ctx)."""

    chat_path = "/api/chat"

    def __init__(self, script: list[Reply] | None = None, model: str = "qwen2.5-coder:7b", num_ctx: int = 12288):
        super().__init__(script)
        self.model = model
        self.num_ctx = num_ctx

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        if path.rstrip("/").endswith("/api/tags"):
            return 200, {"models": [{"name": self.model, "model": self.model, "digest": OLLAMA_DIGEST, "size": 1}]}
        return 404, {"error": f"no route {path}"}

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | Iterator[bytes]:
        if path.rstrip("/").endswith("/api/show"):
            return 200, {
                "parameters": f"num_ctx {self.num_ctx}\ntemperature 0.2",
                "model_info": {"qwen2.context_length": 32768},
            }
        if not path.rstrip("/").endswith(self.chat_path):
            return 404, {"error": f"no route {path}"}
        reply = self.next_reply()
        if reply.status != 200:
            return reply.status, {"error": reply.error_message}
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if reply.tool_calls:
            message["tool_calls"] = [
                {"function": {"name": n, "arguments": json.loads(a) if isinstance(a, str) else a}}
                for n, a in reply.tool_calls
            ]
        final = {
            "model": body.get("model", self.model),
            "created_at": "2026-01-01T00:00:00Z",
            "message": message,
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": reply.prompt_tokens or 40,
            "eval_count": reply.completion_tokens,
        }
        if not body.get("stream"):
            return 200, final
        return iter([json.dumps(final).encode() + b"\n"])


class LlamaServerProps(_ProviderServer):
    """The `/props` endpoint of llama.cpp's own llama-server, which reports the loaded window."""

    def __init__(self, n_ctx: int) -> None:
        super().__init__()
        self.n_ctx = n_ctx

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        if path.rstrip("/") == "/props":
            return 200, {"default_generation_settings": {"n_ctx": self.n_ctx}, "total_slots": 1}
        return 404, {"error": f"no route {path}"}
