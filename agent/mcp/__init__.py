"""The MCP client: the servers people already run, under the same policy, trace and egress rules as
every built-in tool. Front ends (the CLI, the language server) use only what this module exports.

    manager = McpManager(workspace, local_only=restrictions.local_only)   # reads mcp.json + .mcp.json
    await manager.start()                  # every trusted, allowed server, concurrently; never raises
    registry = ToolRegistry([*default_tools(), *manager.tools()])
    manager.states()                       # [ServerState]: status, tool count, last error, serverInfo
    await manager.restart("time")          # the panel's restart action
    manager.trust("time")                  # the user trusts the workspace's definition as it is now
    manager.prompts()                      # {server: [PromptInfo]}, for slash commands
    await manager.get_prompt("srv", "name", {"arg": "v"})   # [{"role", "text"}]
    manager.subscribe(listener)            # listener(ServerState) on every change
    await manager.aclose()                 # every stdio server's process group ended

Errors are `McpError` (a message naming the server and what to do); configuration problems are
`McpConfigError`, raised by `McpManager(...)` / `load_mcp_config`.
"""

from agent.mcp.config import McpConfig, McpConfigError, ServerConfig, load_mcp_config, user_mcp_path
from agent.mcp.manager import McpManager
from agent.mcp.state import CallOutcome, McpError, McpTimeout, PromptInfo, ServerState, Status, ToolInfo
from agent.mcp.trust import TrustStatus, TrustStore, fingerprint

__all__ = [
    "CallOutcome",
    "McpConfig",
    "McpConfigError",
    "McpError",
    "McpManager",
    "McpTimeout",
    "PromptInfo",
    "ServerConfig",
    "ServerState",
    "Status",
    "ToolInfo",
    "TrustStatus",
    "TrustStore",
    "fingerprint",
    "load_mcp_config",
    "user_mcp_path",
]
