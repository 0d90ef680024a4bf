"""An MCP server over streamable HTTP on 127.0.0.1 (the official SDK's, served by uvicorn) that writes
down everything it receives: each HTTP request's headers, and each tool call's arguments, one JSON
object a line in LOG. `python tests/mcp_recording_server.py LOG PORT`.

Its one tool, `note(text, path="")`, answers "noted"; tests read LOG to see what reached the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()


def _append(log: Path, entry: dict[str, Any]) -> None:
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def serve(log: Path, port: int) -> None:
    import uvicorn
    from mcp.server.mcpserver import MCPServer

    server: Any = MCPServer("recorder", version="1.0.0")

    @server.tool()
    def note(text: str, path: str = "") -> str:
        """Write a note down."""
        _append(log, {"tool": "note", "arguments": {"text": text, "path": path}})
        return "noted"

    app = server.streamable_http_app()

    async def recording(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            _append(log, {"http": scope["method"], "path": scope["path"], "headers": headers})
        await app(scope, receive, send)

    uvicorn.run(recording, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


def entries(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


@contextlib.contextmanager
def recording_http(log: Path) -> Iterator[str]:
    """The recording server, started for the block; yields its endpoint URL."""
    from tests.mcp_servers import _accepts, free_port
    from tests.processes import wait_until

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(HERE), str(log), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        if not wait_until(lambda: _accepts(port) or process.poll() is not None, 30) or process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr and process.poll() is not None else ""
            raise RuntimeError(f"the recording MCP server did not listen on 127.0.0.1:{port}: {err}")
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
