"""A tiny MCP server over stdio that misbehaves on purpose, written without the SDK so that each
misbehaviour is exactly what it says. `python tests/mcp_hostile_server.py MODE [PIDFILE]`:

- `exit-at-once`: prints a reason on stderr and exits 1 before any message.
- `hang`: reads every message and never answers (not even the handshake).
- `hang-on-call`: a good handshake and tool list; a tool call is never answered.
- `crash-on-call`: a good handshake and tool list; a tool call kills the process (exit 3).
- `garbage-on-call`: a good handshake and tool list; a tool call is answered with a line that is not JSON.
- `garbage-at-start`: the handshake is answered with a line that is not JSON.
- `colliding-names`: a good server whose tools `a.b` and `a/b` both become `mcp__<server>__a_b`, beside `boom`.
- `leave-on-sigterm`: a good server that, sent SIGTERM while idle, says so on stderr and exits 4.
- `spawn-child`: a good server that also starts a grandchild (`sleep`), whose pid goes to PIDFILE,
  to show that closing the server ends its whole process group.

The first line of stderr is always `pid <pid>` so tests can check the process is gone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import Any

TOOL = {
    "name": "boom",
    "description": "A tool that misbehaves.",
    "inputSchema": {"type": "object", "properties": {"x": {"type": "string"}}},
}


def send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def answer(request: dict[str, Any], mode: str) -> None:
    method = request.get("method")
    ident = request.get("id")
    if ident is None:
        return  # a notification
    if method == "initialize":
        if mode == "garbage-at-start":
            sys.stdout.write("Welcome! this is not JSON-RPC\n")
            sys.stdout.flush()
            return
        version = request.get("params", {}).get("protocolVersion", "2025-06-18")
        send(
            {
                "jsonrpc": "2.0",
                "id": ident,
                "result": {
                    "protocolVersion": version,
                    "capabilities": {"tools": {}},
                    "serverInfo": {"name": "hostile", "version": "0.0.1"},
                },
            }
        )
    elif method == "tools/list":
        twins = [{**TOOL, "name": name} for name in ("a.b", "a/b")] if mode == "colliding-names" else []
        send({"jsonrpc": "2.0", "id": ident, "result": {"tools": [TOOL, *twins]}})
    elif method == "tools/call":
        if mode == "crash-on-call":
            sys.stderr.write("hostile: crashing on purpose\n")
            sys.stderr.flush()
            sys.exit(3)
        if mode == "garbage-on-call":
            sys.stdout.write("<html>502 Bad Gateway</html>\n")
            sys.stdout.flush()
            return
        if mode == "hang-on-call":
            return
        send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": "fine"}]}})
    else:
        send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": f"no method {method}"}})


def _leave(_signum: int, _frame: object) -> None:
    sys.stderr.write("hostile: told to leave, leaving while idle\n")
    sys.stderr.flush()
    os._exit(4)


def main() -> None:
    mode = sys.argv[1]
    sys.stderr.write(f"pid {os.getpid()}\n")
    sys.stderr.flush()
    if mode == "exit-at-once":
        sys.stderr.write("hostile: cannot open my configuration\n")
        sys.exit(1)
    if mode == "leave-on-sigterm":
        signal.signal(signal.SIGTERM, _leave)
    if mode == "spawn-child":
        child = subprocess.Popen(["sleep", "300"])
        with open(sys.argv[2], "w") as handle:
            handle.write(str(child.pid))
    for line in sys.stdin:
        if mode == "hang":
            continue
        try:
            request = json.loads(line)
        except ValueError:
            continue
        answer(request, mode)


if __name__ == "__main__":
    main()
