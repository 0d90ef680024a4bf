"""The JSON-RPC read loop: pygls' own loop, made strict about garbage.

pygls' `run_async` drops a message it cannot parse without answering, so a client that sent a broken
request waits forever. This loop answers every request it cannot handle with a JSON-RPC error
(parse error, invalid request, invalid params) and keeps serving.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from lsprotocol.types import CANCEL_REQUEST
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE)
MAX_BODY_BYTES = 64 * 1024 * 1024

logger = logging.getLogger(__name__)


class AsyncReader(Protocol):
    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


class Writer(Protocol):
    def write(self, data: bytes) -> Any: ...


def frame(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def error_response(msg_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


CancelHook = Callable[[str | int], None]


class MessageHandler:
    """Turns one frame's body into a call of the protocol, or an error reply.

    `on_cancel` also hears every `$/cancelRequest`: pygls cancels the request's own future, but not the
    work a command handler started, so the server cancels that itself.
    """

    def __init__(self, protocol: JsonRPCProtocol, on_cancel: CancelHook | None = None) -> None:
        self.protocol = protocol
        self.on_cancel = on_cancel

    def reply(self, payload: dict[str, Any]) -> None:
        writer = self.protocol.writer
        if writer is None:
            return
        writer.write(frame(payload))

    def handle_body(self, body: bytes) -> None:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            self.reply(error_response(None, PARSE_ERROR, f"Parse error: the message is not JSON ({error})"))
            return
        if not isinstance(data, dict):
            self.reply(error_response(None, INVALID_REQUEST, "Invalid Request: a message must be a JSON object"))
            return
        has_id = "id" in data
        msg_id = data.get("id") if _valid_id(data.get("id")) else None
        is_request = "method" in data and has_id
        if data.get("jsonrpc") != "2.0" or ("method" in data and not isinstance(data["method"], str)):
            if has_id:
                self.reply(
                    error_response(msg_id, INVALID_REQUEST, 'Invalid Request: needs "jsonrpc": "2.0" and a method name')
                )
            return
        if has_id and msg_id is None:
            self.reply(error_response(None, INVALID_REQUEST, "Invalid Request: an id must be a string or an integer"))
            return
        if not ("method" in data or "result" in data or "error" in data):
            if has_id:
                self.reply(error_response(msg_id, INVALID_REQUEST, "Invalid Request: no method, result or error"))
            return
        try:
            message = self.protocol.structure_message(data)
        except JsonRpcException as error:
            if is_request:
                self.reply(error_response(msg_id, INVALID_PARAMS, f"Invalid params for {data['method']}: {error}"))
            return
        try:
            self.protocol.handle_message(message)
        except JsonRpcException as error:
            if is_request:
                self.reply(error_response(msg_id, error.code, error.message))
        except Exception as error:  # the loop's boundary: one bad message must not end the session
            logger.exception("could not handle a message")
            if is_request:
                self.reply(error_response(msg_id, INVALID_REQUEST, f"Invalid Request: {error}"))
        if data.get("method") == CANCEL_REQUEST and self.on_cancel is not None:
            params = data.get("params")
            if isinstance(params, dict) and _valid_id(params.get("id")):
                self.on_cancel(params["id"])


async def serve(
    protocol: JsonRPCProtocol, reader: AsyncReader, stop: threading.Event, on_cancel: CancelHook | None = None
) -> None:
    """Read framed messages until end of input (the client went away) or `stop` is set."""
    handler = MessageHandler(protocol, on_cancel)
    content_length: int | None = None
    while not stop.is_set():
        header = await reader.readline()
        if not header:
            return
        match = CONTENT_LENGTH.match(header.strip())
        if match:
            content_length = int(match.group(1))
            continue
        if header.strip() or content_length is None:
            continue  # another header (Content-Type), or noise between frames
        expected, content_length = content_length, None
        if expected > MAX_BODY_BYTES:
            if not await _discard(reader, expected):
                return
            handler.reply(error_response(None, INVALID_REQUEST, f"a message of {expected:,} bytes is too large"))
            continue
        body = await _read(reader, expected)
        if body is None:
            return
        handler.handle_body(body)


async def _read(reader: AsyncReader, size: int) -> bytes | None:
    """Exactly `size` bytes, or None at end of input."""
    try:
        body = await reader.readexactly(size) if size else b""
    except asyncio.IncompleteReadError:
        return None
    return body if len(body) == size else None


async def _discard(reader: AsyncReader, size: int) -> bool:
    while size > 0:
        chunk = await _read(reader, min(size, 1 << 20))
        if chunk is None:
            return False
        size -= len(chunk)
    return True
