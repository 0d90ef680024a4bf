"""Flambeau's MCP client as the official conformance suite drives it:

    npx @modelcontextprotocol/conformance client --command "python -m agent.mcp.conformance" --scenario initialize

The suite starts a test server and runs the command with the server's URL as the last argument and the
scenario's name in `MCP_CONFORMANCE_SCENARIO`. This connects through Flambeau's own `McpManager` and
`Connection` (the code every task uses), exactly as a user's `{"url": …}` server, then calls every tool the
server lists with arguments made from its schema, and closes. Elicitations are answered with the form's
defaults (the `defaults` mode of agent/mcp/elicitation.py; a task's headless run declines them instead).
Exit status: 0 once connected, 1 when the connection failed; a tool call's error is printed, not fatal
(some scenarios' tools answer badly on purpose, and the suite judges what the server saw).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from agent.mcp.config import McpConfig, ServerConfig
from agent.mcp.manager import McpManager
from agent.mcp.state import McpError
from agent.mcp.trust import TrustStore

SERVER_NAME = "conformance"
SAMPLES: dict[str, Any] = {"string": "flambeau", "integer": 2, "number": 3, "boolean": True, "array": [], "object": {}}


def sample_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments a tool's schema accepts: each property's default, first enum value, or a value of its type."""
    arguments: dict[str, Any] = {}
    properties = schema.get("properties") or {}
    for name, prop in properties.items():
        if not isinstance(prop, dict):
            continue
        if "default" in prop:
            arguments[name] = prop["default"]
        elif isinstance(prop.get("enum"), list) and prop["enum"]:
            arguments[name] = prop["enum"][0]
        else:
            kind = prop.get("type")
            arguments[name] = SAMPLES.get(kind if isinstance(kind, str) else "string", "flambeau")
    return arguments


async def exercise(url: str, scenario: str, workspace: Path, out: Any = sys.stderr) -> int:
    server = ServerConfig(name=SERVER_NAME, origin="user", source="the conformance suite", transport="http", url=url)
    config = McpConfig(servers={SERVER_NAME: server})
    trust = TrustStore(workspace / "mcp-trust.json")
    async with McpManager(workspace, config=config, trust=trust, elicitation="defaults") as manager:
        (state,) = await manager.start()
        if state.status != "running":
            print(f"conformance client ({scenario}): {state.last_error}", file=out)
            return 1
        print(f"conformance client ({scenario}): {state.server_info}, {state.tool_count} tool(s)", file=out)
        connection = manager.connection(SERVER_NAME)
        for tool in list(connection.tools) if connection is not None else []:
            arguments = sample_arguments(tool.input_schema)
            try:
                outcome = await manager.call_tool(SERVER_NAME, tool.name, arguments)
            except McpError as error:
                print(f"  {tool.name}: {error}", file=out)
                continue
            print(f"  {tool.name}({arguments}) -> {'ok' if outcome.ok else 'error'}: {outcome.text[:200]}", file=out)
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m agent.mcp.conformance SERVER_URL (run by the MCP conformance suite)", file=sys.stderr)
        return 2
    scenario = os.environ.get("MCP_CONFORMANCE_SCENARIO", "")
    with tempfile.TemporaryDirectory(prefix="flambeau-conformance-") as scratch:
        return asyncio.run(exercise(argv[-1], scenario, Path(scratch)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
