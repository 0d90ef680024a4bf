"""flambeau/listMcpServers, restartMcpServer, trustMcpServer, listMcpPrompts, getMcpPrompt: the workspace's
MCP servers as the session's hub holds them (lsp/mcp_hub.py). State changes follow as
`flambeau/mcpServersChanged`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from lsp.features import GET_MCP_PROMPT, LIST_MCP_PROMPTS, LIST_MCP_SERVERS, RESTART_MCP_SERVER, TRUST_MCP_SERVER
from lsp.features.task_methods import require_initialized
from lsp.mcp_hub import server_entry
from lsp.params import Params
from lsp.server import FlambeauServer

if TYPE_CHECKING:
    from agent.mcp import McpManager
    from lsp.protocol import GetMcpPromptResult, ListMcpPromptsResult, ListMcpServersResult, McpServer


async def _manager(ls: FlambeauServer, method: str) -> McpManager:
    require_initialized(ls)
    manager = await ls.mcp.ready()
    if manager is None:
        why = ls.mcp.config_error or "the workspace is not a folder"
        raise JsonRpcInvalidParams(f"{method}: no MCP server can be used: {why}")
    return manager


def _declared(manager: McpManager, method: str, name: str) -> None:
    from agent.mcp import McpError

    try:
        manager.server(name)
    except McpError as error:
        raise JsonRpcInvalidParams(f"{method}: {error}") from error


def _entry(manager: McpManager, name: str) -> McpServer:
    return server_entry(manager.state(name), manager.server(name), manager.workspace)


async def list_mcp_servers(ls: FlambeauServer, params: Any) -> ListMcpServersResult:
    Params(LIST_MCP_SERVERS, params)
    require_initialized(ls)
    await ls.mcp.ready()
    return ls.mcp.listing()


async def restart_mcp_server(ls: FlambeauServer, params: Any) -> McpServer:
    """Stop the server if it runs and start it again (an untrusted one stays stopped); answers with its state."""
    name = Params(RESTART_MCP_SERVER, params).text("name")
    manager = await _manager(ls, RESTART_MCP_SERVER)
    _declared(manager, RESTART_MCP_SERVER, name)
    await manager.restart(name)
    return _entry(manager, name)


async def trust_mcp_server(ls: FlambeauServer, params: Any) -> McpServer:
    """`trusted` true (default): trust the workspace's definition as it is now, then start it. False: stop
    it and forget the trust. Answers with its state once started (or failed)."""
    p = Params(TRUST_MCP_SERVER, params)
    name = p.text("name")
    trusted = p.flag("trusted", default=True)
    manager = await _manager(ls, TRUST_MCP_SERVER)
    _declared(manager, TRUST_MCP_SERVER, name)
    if trusted:
        manager.trust(name)
        await manager.start([name])
    else:
        await manager.stop(name)
        manager.revoke(name)
    return _entry(manager, name)


async def list_mcp_prompts(ls: FlambeauServer, params: Any) -> ListMcpPromptsResult:
    """Every running server's prompts, each with its slash command `/<server>:<prompt>`."""
    Params(LIST_MCP_PROMPTS, params)
    require_initialized(ls)
    manager = await ls.mcp.ready()
    prompts = manager.prompts() if manager is not None else {}
    return {
        "prompts": [
            {
                "server": server,
                "name": prompt.name,
                "command": f"/{server}:{prompt.name}",
                "description": prompt.description,
                "arguments": [
                    {"name": str(a["name"]), "description": str(a["description"]), "required": bool(a["required"])}
                    for a in prompt.arguments
                ],
            }
            for server, listed in prompts.items()
            for prompt in listed
        ]
    }


async def get_mcp_prompt(ls: FlambeauServer, params: Any) -> GetMcpPromptResult:
    """A prompt's messages with `arguments` filled in, and their text joined for the composer."""
    from agent.mcp import McpError

    p = Params(GET_MCP_PROMPT, params)
    server, name = p.text("server"), p.text("name")
    arguments = p.raw.get("arguments") or {}
    if not isinstance(arguments, dict) or not all(isinstance(v, str) for v in arguments.values()):
        raise JsonRpcInvalidParams(f"{GET_MCP_PROMPT}: 'arguments' must be an object of strings")
    manager = await _manager(ls, GET_MCP_PROMPT)
    _declared(manager, GET_MCP_PROMPT, server)
    prompt = next((q for q in manager.prompts().get(server, []) if q.name == name), None)
    if prompt is None:
        offered = ", ".join(q.name for q in manager.prompts().get(server, [])) or "none"
        raise JsonRpcInvalidParams(
            f"{GET_MCP_PROMPT}: the MCP server '{server}' has no prompt '{name}' (it offers: {offered})"
        )
    missing = [str(a["name"]) for a in prompt.arguments if a["required"] and not arguments.get(str(a["name"]))]
    if missing:
        raise JsonRpcInvalidParams(f"{GET_MCP_PROMPT}: the prompt '{name}' needs {', '.join(missing)}")
    try:
        messages = await manager.get_prompt(server, name, arguments)
    except McpError as error:
        raise JsonRpcInternalError(str(error)) from error
    return {
        "server": server,
        "name": name,
        "messages": [
            {"role": "assistant" if m["role"] == "assistant" else "user", "text": m["text"]} for m in messages
        ],
        "text": "\n\n".join(m["text"] for m in messages if m["text"]),
    }
