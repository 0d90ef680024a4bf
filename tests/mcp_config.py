"""Writing MCP configuration for tests: the user's mcp.json (in the test's own home) and a workspace's .mcp.json."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def user_mcp_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "mcp.json"


def write_user_servers(servers: dict[str, Any]) -> Path:
    path = user_mcp_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"mcpServers": servers}, indent=2))
    return path


def write_workspace_servers(workspace: Path, servers: dict[str, Any]) -> Path:
    path = workspace / ".mcp.json"
    path.write_text(json.dumps({"mcpServers": servers}, indent=2))
    return path


def write_user_policy(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "policy.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
