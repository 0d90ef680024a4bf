"""The workspace's MCP servers, owned by the language server for the whole session and shared by its tasks.

One `McpManager` is made once the agent has warmed up (after `initialized`) and its trusted servers are
started in the background; a task waits for that first start, then gets the running servers' tools.
Before each use the configuration files and the local-only mode are read again: a changed `.mcp.json`
(or mcp.json) replaces the manager, a changed local-only mode restarts the cloud servers (refused or
allowed again). Every state change goes to the client as `flambeau/mcpServersChanged`; `shutdown` closes
the servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsp.client_requests import notify_client
from lsp.features import MCP_SERVERS_CHANGED

if TYPE_CHECKING:
    from agent.mcp import McpConfig, McpManager, ServerConfig, ServerState
    from agent.models.config import Restrictions
    from lsp.protocol import ListMcpServersResult, McpServer
    from lsp.server import FlambeauServer

logger = logging.getLogger(__name__)


def config_signature(config: McpConfig) -> dict[str, Any]:
    """What decides each declared server's definition; a difference means the files changed."""
    return {
        name: (s.origin, s.source, s.canonical(), s.disabled, s.timeout_s, s.cwd) for name, s in config.servers.items()
    }


def server_entry(state: ServerState, server: ServerConfig, workspace: Path) -> McpServer:
    """The state as the front ends show it: tools, prompts and resources only while it runs (a server that
    died keeps them in its last snapshot, but offers none of them)."""
    info = state.server_info
    running = state.status == "running"
    return {
        "name": state.name,
        "source": "workspace" if state.origin == "workspace" else "user",
        "file": server.source,
        "transport": state.transport,  # type: ignore[typeddict-item]
        "commandLine": state.command_line,
        "folder": str(workspace / server.cwd if server.cwd else workspace) if server.is_stdio else "",
        "envNames": sorted(server.env),
        "headerNames": sorted(server.headers),
        "trusted": state.trust in ("trusted", "not-needed"),
        "trust": state.trust,  # type: ignore[typeddict-item]
        "state": state.status,
        "locality": "cloud" if state.locality == "cloud" else "local",
        "toolCount": state.tool_count if running else 0,
        "tools": list(state.tools) if running else [],
        "promptCount": state.prompt_count if running else 0,
        "resourceCount": state.resource_count if running else 0,
        "serverInfo": {"name": info.get("name", ""), "version": info.get("version", "")} if info else None,
        "lastError": state.last_error,
        "secretReferences": list(state.secret_references),
    }


class McpHub:
    """The session's MCP servers; every method runs on the server's event loop."""

    def __init__(self, server: FlambeauServer) -> None:
        self.server = server
        self.manager: McpManager | None = None
        self.config_error = ""
        """Why the configuration cannot be used (a broken .mcp.json): no server runs until it is fixed."""
        self._signature: dict[str, Any] | None = None
        self._first_start: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    def start_soon(self) -> None:
        """Start the servers in the background (after the warm-up); a task or a request waits for it."""
        if self._first_start is None and not self._closed:
            self._first_start = asyncio.ensure_future(self._start())

    async def ready(self) -> McpManager | None:
        """The manager, its first start over and its configuration current; None when there is none."""
        self.start_soon()
        if self._first_start is not None:
            await asyncio.shield(self._first_start)
        await self._refresh()
        return self.manager

    async def _start(self) -> None:
        with contextlib.suppress(Exception):  # a failed warm-up is reported by the first task
            await self.server.warmup.ready()
        await self._refresh()

    async def _refresh(self) -> None:
        async with self._lock:
            if self._closed:
                return
            workspace = self.server.settings.workspace
            if workspace is None or not workspace.is_dir():
                return
            config, error, restrictions = await asyncio.to_thread(_read, workspace)
            if config is None:
                if error != self.config_error or self.manager is not None:
                    self.config_error = error
                    await self._replace(None)
                return
            self.config_error = ""
            signature = config_signature(config)
            if self.manager is None or signature != self._signature:
                self._signature = signature
                await self._replace(self._make(workspace, config, restrictions))
            else:
                await self._apply_local_only(self.manager, restrictions)

    def _make(self, workspace: Path, config: McpConfig, restrictions: Restrictions) -> McpManager:
        from agent.mcp import McpManager

        return McpManager(
            workspace,
            config=config,
            local_only=restrictions.local_only,
            local_only_source=restrictions.local_only_source,
            on_change=lambda _state: self.changed(),
        )

    async def _replace(self, manager: McpManager | None) -> None:
        old, self.manager = self.manager, manager
        if old is not None:
            await old.aclose()
        self.changed()
        if manager is not None:
            await manager.start()

    async def _apply_local_only(self, manager: McpManager, restrictions: Restrictions) -> None:
        if (manager.local_only, manager.local_only_source) == (restrictions.local_only, restrictions.local_only_source):
            return
        manager.local_only = restrictions.local_only
        manager.local_only_source = restrictions.local_only_source
        clouds = [s.name for s in manager.states() if s.locality == "cloud"]
        await asyncio.gather(*(manager.restart(name) for name in clouds))

    def listing(self) -> ListMcpServersResult:
        manager = self.manager
        if manager is None:
            return {"servers": [], "notes": [], "configError": self.config_error or None}
        servers = [server_entry(state, manager.server(state.name), manager.workspace) for state in manager.states()]
        return {"servers": servers, "notes": list(manager.config.notes), "configError": None}

    def changed(self) -> None:
        if not self._closed:
            notify_client(self.server.protocol, MCP_SERVERS_CHANGED, self.listing())

    async def aclose(self) -> None:
        """Shut every server down; the hub starts nothing afterwards. A start in progress is let finish (each
        handshake is bounded by the start timeout): cancelled midway, it could leave a server process behind."""
        self._closed = True
        async with self._lock:
            manager, self.manager = self.manager, None
            if manager is not None:
                await manager.aclose()


def _read(workspace: Path) -> tuple[McpConfig | None, str, Restrictions]:
    from agent.mcp import McpConfigError, load_mcp_config
    from agent.models.config import Restrictions, load_config

    try:
        restrictions = load_config(workspace).restrictions
    except Exception as error:  # a broken models.toml: the model request says so; MCP goes on as not local-only
        logger.warning("reading the models configuration for MCP: %s", error)
        restrictions = Restrictions()
    try:
        return load_mcp_config(workspace), "", restrictions
    except McpConfigError as error:
        return None, str(error), restrictions
