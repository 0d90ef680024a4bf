"""A bare JSON-RPC client over a server's stdio that can send anything, garbage included."""

from __future__ import annotations

import itertools
import json
import os
import queue
import select
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WAIT_S = 60.0


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class RawServer:
    def __init__(self, workspace: Path, log: Path, *args: str) -> None:
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, *args, "-m", "cli.main", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            cwd=workspace,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.workspace = workspace
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        assert self.proc.stdout is not None
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout.fileno(),), daemon=True)
        self._reader.start()

    def _read(self, fd: int) -> None:
        """Parse frames off the server's stdout until it closes or the test stops reading (`vanish`)."""
        pending = b""
        while not self._stop_reading.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            pending += chunk
            while (end := pending.find(b"\r\n\r\n")) >= 0:
                headers = pending[:end].decode("ascii").lower().splitlines()
                length = int(next(h for h in headers if h.startswith("content-length:")).split(":")[1])
                if len(pending) < end + 4 + length:
                    break
                self.messages.put(json.loads(pending[end + 4 : end + 4 + length]))
                pending = pending[end + 4 + length :]
        self.messages.put(None)

    def send_bytes(self, body: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame(body))
        self.proc.stdin.flush()

    def send(self, message: Any) -> None:
        self.send_bytes(json.dumps(message).encode())

    def next_id(self) -> int:
        return next(self._ids)

    def response(self, msg_id: Any, timeout: float = WAIT_S) -> dict[str, Any]:
        """The next response with `msg_id` (None: an error for a message without a usable id)."""
        while True:
            message = self.messages.get(timeout=timeout)
            if message is None:
                raise EOFError(f"the server closed its output (exit code {self.proc.poll()})")
            if "method" in message:
                self.notifications.append(message)
                continue
            if message.get("id") == msg_id:
                return message
            raise AssertionError(f"expected the response to {msg_id!r}, got {message}")

    def wait_for_method(self, method: str, timeout: float = WAIT_S) -> dict[str, Any]:
        """The next message the server sends with `method` (a request or notification)."""
        while True:
            message = self.messages.get(timeout=timeout)
            if message is None:
                raise EOFError(f"the server closed its output (exit code {self.proc.poll()})")
            if message.get("method") == method:
                return message
            self.notifications.append(message)

    def request(self, method: str, params: Any = None) -> dict[str, Any]:
        msg_id = self.next_id()
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return self.response(msg_id)

    def initialize(self, options: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": self.workspace.as_uri(),
                "capabilities": {},
                "initializationOptions": options,
            },
        )
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        return answer

    def close(self, *, vanish: bool = False) -> int:
        """Close the server's input (the client is done); `vanish` also closes its output pipe, like an
        editor that crashed: the server's next write fails."""
        if vanish and self.proc.stdout is not None:
            self._stop_reading.set()
            self._reader.join()
            self.proc.stdout.close()
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        code = self.proc.wait(timeout=WAIT_S)
        self.log.close()
        return code
