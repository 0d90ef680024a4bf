"""An MCP server over streamable HTTP on 127.0.0.1 (the official SDK's, served by uvicorn) that writes
down everything it receives: each HTTP request's headers, and each tool call's arguments, one JSON
object a line in LOG. `python tests/mcp_recording_server.py LOG PORT`.

Its one tool, `note(text, path="")`, answers "noted"; tests read LOG to see what reached the server.
"""

from __future__ import annotations

import contextlib
import json
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
    from tests.mcp_servers import free_port, listening

    port = free_port()
    with listening([sys.executable, str(HERE), str(log), str(port)], port, "the recording MCP server"):
        yield f"http://127.0.0.1:{port}/mcp"


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
