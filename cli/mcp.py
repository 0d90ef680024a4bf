"""`flambeau mcp list | test | trust | untrust`: the MCP servers of ~/.config/flambeau/mcp.json and a
workspace's .mcp.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.errors import ConfigError

if TYPE_CHECKING:
    from agent.mcp import McpManager, ServerState


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flambeau mcp",
        description="MCP servers: list them, test them, and trust the ones a workspace declares.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="every declared server, where it comes from and whether it may start")
    test = sub.add_parser("test", help="start servers, list their tools, and stop them")
    test.add_argument("name", nargs="?", default=None, help="one server (default: every one)")
    test.add_argument("--timeout", type=float, default=30.0, help="seconds a server has to start (default 30)")
    trust = sub.add_parser("trust", help="allow a server the workspace's .mcp.json declares, exactly as it is now")
    trust.add_argument("name")
    untrust = sub.add_parser("untrust", help="forget the trust in a workspace's server")
    untrust.add_argument("name")
    for command in (listing, test, trust, untrust):
        command.add_argument("--workspace", type=Path, default=Path.cwd(), help="the workspace (default: here)")
    for command in (listing, test):
        command.add_argument("--local-only", action="store_true", help="refuse cloud servers, as `run --local-only`")
        command.add_argument("--json", action="store_true", help="one JSON document on stdout")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from agent.mcp import McpConfigError, McpError

    try:
        manager = _manager(args)
        if args.action == "list":
            return _list(manager, args.json)
        if args.action == "trust":
            return _trust(manager, args.name)
        if args.action == "untrust":
            return _untrust(manager, args.name)
        return asyncio.run(_test(manager, args.name, args.timeout, args.json))
    except (ConfigError, McpConfigError, McpError) as error:
        print(f"flambeau: {error}", file=sys.stderr)
        return 2


def _manager(args: argparse.Namespace) -> McpManager:
    from agent.mcp import McpManager
    from agent.models.config import load_config

    workspace = args.workspace.resolve()
    if not workspace.is_dir():
        raise ConfigError(f"workspace {workspace} is not a directory; pass an existing folder with --workspace")
    restrictions = load_config(workspace).restrictions
    if getattr(args, "local_only", False):
        restrictions.require_local("--local-only")
    return McpManager(
        workspace,
        local_only=restrictions.local_only,
        local_only_source=restrictions.local_only_source,
        start_timeout_s=getattr(args, "timeout", 30.0),
    )


STATUS_WORDS = {
    "stopped": "may start",
    "untrusted": "NOT TRUSTED: will not start",
    "refused": "refused here",
    "disabled": "disabled",
    "running": "running",
    "failed": "FAILED",
    "starting": "starting",
}


def _line(state: ServerState) -> str:
    words = STATUS_WORDS.get(state.status, state.status)
    if state.trust == "changed":
        words = "CHANGED since you trusted it: will not start"
    secrets = f", keyring: {', '.join(state.secret_references)}" if state.secret_references else ""
    return f"{state.name:<16} {state.origin:<9} {state.transport:<5} {state.locality:<5} {words}{secrets}\n" + (
        f"{'':<16} {state.command_line}"
    )


def _list(manager: McpManager, as_json: bool) -> int:
    states = manager.states()
    if as_json:
        print(json.dumps({"servers": [s.to_dict() for s in states], "notes": manager.config.notes}, indent=2))
        return 0
    if not states:
        print(
            "no MCP servers declared; add them to ~/.config/flambeau/mcp.json or the workspace's .mcp.json "
            '({"mcpServers": {"NAME": {"command": ..., "args": [...]}}})'
        )
        return 0
    for state in states:
        print(_line(state))
        if state.status in ("refused",) and state.last_error:
            print(f"{'':<16} {state.last_error}")
    for note in manager.config.notes:
        print(f"note: {note}")
    if any(s.status == "untrusted" for s in states):
        print("\nA workspace's own servers start only once you trust them: flambeau mcp trust NAME")
    return 0


async def _test(manager: McpManager, name: str | None, timeout: float, as_json: bool) -> int:
    async with manager:
        states = await manager.start([name] if name else None)
        report: list[dict[str, Any]] = [s.to_dict() for s in states]
    if as_json:
        print(json.dumps({"servers": report}, indent=2))
    else:
        for state in states:
            if state.status == "running":
                who = " ".join(v for v in (state.server_info.get("name"), state.server_info.get("version")) if v)
                print(f"✓ {state.name}: {who or 'unidentified server'}, {state.tool_count} tool(s)", end="")
                print(f", {state.resource_count} resource(s), {state.prompt_count} prompt(s)")
                for tool in state.tools:
                    print(f"    {tool}")
            elif state.status == "untrusted":
                print(f"✗ {state.name}: not trusted, so not started; run 'flambeau mcp trust {state.name}' first")
            elif state.status == "disabled":
                print(f"- {state.name}: disabled in {manager.server(state.name).source}")
            else:
                print(f"✗ {state.name}: {state.last_error}")
    return 0 if all(s.status in ("running", "disabled") for s in states) else 1


def _trust(manager: McpManager, name: str) -> int:
    server = manager.server(name)
    if server.origin == "user":
        print(f"'{name}' is declared in your own {server.source}: it needs no trust")
        return 0
    print(f"Trusting the MCP server '{name}' of {server.source}, exactly as it is now:")
    if server.is_stdio:
        print(f"  runs:  {server.command_line()}")
        print(f"  in:    {manager.workspace / server.cwd if server.cwd else manager.workspace}")
        if server.env:
            print(f"  env:   {', '.join(sorted(server.env))}")
        print("  It runs as you, outside the sandbox, with your files and network (see docs/mcp.md).")
    else:
        print(f"  reaches: {server.url} ({manager.state(name).locality})")
        if server.headers:
            print(f"  headers: {', '.join(sorted(server.headers))}")
    if server.secret_references():
        print(f"  given the keyring entries: {', '.join(server.secret_references())}")
    manager.trust(name)
    print(f"Trusted for {manager.workspace}. Any change to its definition revokes this.")
    return 0


def _untrust(manager: McpManager, name: str) -> int:
    server = manager.server(name)
    if server.origin == "user":
        print(f"'{name}' is your own server (in {server.source}); remove it there to stop using it")
        return 0
    had = manager.trust_store.revoke(manager.workspace, name)
    print(f"'{name}' is no longer trusted in {manager.workspace}" if had else f"'{name}' was not trusted")
    return 0
