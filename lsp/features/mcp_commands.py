"""workspace/executeCommand for the MCP servers, for editors without a Flambeau client: the same as the
flambeau/*Mcp* methods with positional arguments."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from lsp.features import CMD_GET_MCP_PROMPT, CMD_RESTART_MCP_SERVER, CMD_TRUST_MCP_SERVER, mcp
from lsp.server import FlambeauServer


def _name(command: str, args: tuple[Any, ...], usage: str) -> str:
    if not args or not isinstance(args[0], str):
        raise JsonRpcInvalidParams(f"{command}: arguments are [{usage}]")
    return args[0]


async def list_mcp_servers(ls: FlambeauServer, *args: Any) -> Any:
    """[]"""
    return await mcp.list_mcp_servers(ls, {})


async def restart_mcp_server(ls: FlambeauServer, *args: Any) -> Any:
    """[name]"""
    return await mcp.restart_mcp_server(ls, {"name": _name(CMD_RESTART_MCP_SERVER, args, "name")})


async def trust_mcp_server(ls: FlambeauServer, *args: Any) -> Any:
    """[name, trusted?]: trusted true (default) trusts and starts it, false stops it and forgets the trust."""
    name = _name(CMD_TRUST_MCP_SERVER, args, "name, trusted?")
    params: dict[str, Any] = {"name": name}
    if len(args) > 1:
        params["trusted"] = args[1]
    return await mcp.trust_mcp_server(ls, params)


async def list_mcp_prompts(ls: FlambeauServer, *args: Any) -> Any:
    """[]"""
    return await mcp.list_mcp_prompts(ls, {})


async def get_mcp_prompt(ls: FlambeauServer, *args: Any) -> Any:
    """[server, name, arguments?]"""
    usage = "server, name, {argument: value}?"
    if len(args) not in (2, 3) or not all(isinstance(a, str) for a in args[:2]):
        raise JsonRpcInvalidParams(f"{CMD_GET_MCP_PROMPT}: arguments are [{usage}]")
    params: dict[str, Any] = {"server": args[0], "name": args[1]}
    if len(args) == 3:
        params["arguments"] = args[2]
    return await mcp.get_mcp_prompt(ls, params)
