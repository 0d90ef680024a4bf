"""Every MCP server a workspace may use: started (when trusted and allowed), listed, called, restarted
and shut down, with each one's state and last error for the front ends.

A server that does not start, hangs, crashes or answers garbage is marked `failed` with an error naming
it; the others go on, and so does the task. Nothing waits without a bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.mcp.config import McpConfig, ServerConfig, load_mcp_config, resolve_secrets
from agent.mcp.connection import Connection
from agent.mcp.egress import ArgumentGuard, local_only_refusal, locality_of
from agent.mcp.elicitation import ElicitationMode
from agent.mcp.state import CallOutcome, McpError, PromptInfo, ServerState, Status
from agent.mcp.trust import TrustStore

if TYPE_CHECKING:
    from tools.base import Tool

START_TIMEOUT_S = 30.0
"""A first `npx` or `uvx` run may download the server: the handshake gets this long."""
CALL_TIMEOUT_S = 60.0

StateListener = Callable[[ServerState], None]


class McpManager:
    """The MCP servers of one workspace. Use as `async with McpManager(...) as mcp:` or call `aclose()`."""

    def __init__(
        self,
        workspace: Path,
        *,
        config: McpConfig | None = None,
        trust: TrustStore | None = None,
        local_only: bool = False,
        local_only_source: str = "",
        start_timeout_s: float = START_TIMEOUT_S,
        call_timeout_s: float = CALL_TIMEOUT_S,
        secret_lookup: Callable[[str], str | None] | None = None,
        on_change: StateListener | None = None,
        elicitation: ElicitationMode = "decline",
    ) -> None:
        """`config` defaults to the user's mcp.json and the workspace's .mcp.json (read now: McpConfigError
        when one is broken); `secret_lookup` defaults to the keyring; `on_change` hears every state change;
        `elicitation` is how servers' questions to the user are answered (headless: declined)."""
        self.workspace = workspace.resolve()
        self.config = config if config is not None else load_mcp_config(self.workspace)
        self.trust_store = trust or TrustStore.default()
        self.local_only = local_only
        self.local_only_source = local_only_source
        self.start_timeout_s = start_timeout_s
        self.call_timeout_s = call_timeout_s
        self._lookup = secret_lookup
        self.elicitation: ElicitationMode = elicitation
        self._listeners: list[StateListener] = [on_change] if on_change else []
        self._connections: dict[str, Connection] = {}
        self._states: dict[str, ServerState] = {name: self._initial(s) for name, s in self.config.servers.items()}
        self._locks: dict[str, asyncio.Lock] = {}
        self._closing: set[asyncio.Future[None]] = set()
        self.secret_values: set[str] = set()
        """Every secret resolved for a server's env or headers (for redaction)."""

    async def __aenter__(self) -> McpManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def subscribe(self, listener: StateListener) -> None:
        self._listeners.append(listener)

    # -- what there is --------------------------------------------------------------------------------
    def states(self) -> list[ServerState]:
        """Every declared server's state, in declaration order (user's file first)."""
        return list(self._states.values())

    def state(self, name: str) -> ServerState:
        if name not in self._states:
            raise McpError(self._unknown(name))
        return self._states[name]

    def server(self, name: str) -> ServerConfig:
        server = self.config.get(name)
        if server is None:
            raise McpError(self._unknown(name))
        return server

    def tools(self) -> list[Tool[Any]]:
        """The running servers' tools as registry tools (`mcp__<server>__<tool>`), plus one resource reader
        when a running server offers resources."""
        from agent.mcp.tools import registry_tools

        return registry_tools(self)

    def connection(self, name: str) -> Connection | None:
        """The live connection to `name`, None when it is not running."""
        connection = self._connections.get(name)
        return connection if connection is not None and connection.alive else None

    def prompts(self) -> dict[str, list[PromptInfo]]:
        """The prompts of each running server that offers some."""
        return {name: list(c.prompts) for name, c in self._connections.items() if c.alive and c.prompts}

    def notices(self) -> list[str]:
        """One sentence per server that is not running, for a headless run to tell the user."""
        out: list[str] = list(self.config.notes)
        for state in self._states.values():
            if state.status == "untrusted":
                verb = "changed since you trusted it" if state.trust == "changed" else "is not trusted"
                out.append(
                    f"the workspace's MCP server '{state.name}' ({state.command_line}) {verb}, so it was not "
                    f"started; run 'flambeau mcp trust {state.name}' in this workspace to allow it"
                )
            elif state.status in ("failed", "refused"):
                out.append(state.last_error)
        return out

    # -- life -----------------------------------------------------------------------------------------
    async def start(self, names: Iterable[str] | None = None) -> list[ServerState]:
        """Start the named servers (default: every one), concurrently; untrusted, refused and disabled ones
        are not started. Never raises for a server's failure: it is in that server's state."""
        chosen = list(names) if names is not None else list(self._states)
        for name in chosen:
            self.server(name)
        await asyncio.gather(*(self._start_one(name) for name in chosen))
        return [self._states[name] for name in chosen]

    async def restart(self, name: str) -> ServerState:
        """Stop `name` if it runs, re-read its trust, and start it again."""
        self.server(name)
        await self.stop(name)
        await self._start_one(name)
        return self._states[name]

    async def stop(self, name: str) -> None:
        async with self._lock(name):
            connection = self._connections.pop(name, None)
            if connection is not None:
                await connection.close()
            state = self._states[name]
            if state.status in ("running", "starting", "failed"):
                self._set(replace(self._initial(self.server(name)), status="stopped", last_error=state.last_error))

    async def aclose(self) -> None:
        """Shut every server down (stdio servers' process groups are ended)."""
        await asyncio.gather(*(self.stop(name) for name in list(self._connections)), return_exceptions=True)
        if self._closing:
            await asyncio.wait(set(self._closing))

    def trust(self, name: str) -> ServerState:
        """The user trusts the workspace's definition of `name` as it is now (it can then be started)."""
        server = self.server(name)
        if server.origin == "workspace":
            self.trust_store.trust(self.workspace, server)
        state = self._states[name]
        status = "stopped" if state.status == "untrusted" else state.status
        self._set(replace(state, trust=self.trust_store.status(self.workspace, server), status=status))
        return self._states[name]

    def revoke(self, name: str) -> ServerState:
        """Forget the trust in a workspace server; a running one keeps running until stopped or restarted."""
        server = self.server(name)
        self.trust_store.revoke(self.workspace, server.name)
        state = self._states[name]
        if state.status != "running":
            self._set(self._initial(server))
        return self._states[name]

    async def _start_one(self, name: str) -> None:
        async with self._lock(name):
            if self.connection(name) is not None:
                return
            server = self.server(name)
            initial = self._initial(server)
            if initial.status != "stopped":
                self._set(initial)
                return
            self._set(replace(initial, status="starting"))
            try:
                env, headers, args = self._resolved(server)
                connection = await Connection.open(
                    server,
                    self.workspace,
                    env,
                    headers,
                    self.start_timeout_s,
                    args=args,
                    elicitation=self.elicitation,
                    on_broken=self._on_broken,
                )
            except McpError as error:
                self._set(replace(initial, status="failed", last_error=str(error)))
                return
            except Exception as error:  # a config/keyring error: named, and the other servers go on
                error_text = f"the MCP server '{name}' did not start: {error}"
                self._set(replace(initial, status="failed", last_error=error_text))
                return
            if not connection.alive:  # it left between its handshake and now
                reason = connection.broken_reason or "the connection ended"
                self._set(replace(initial, status="failed", last_error=connection.describe(reason)))
                await connection.close()
                return
            self._connections[name] = connection
            self._set(self._running(server, connection))

    def _resolved(self, server: ServerConfig) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
        """The server's env, headers and arguments with their keyring references resolved (the secrets
        kept for redaction); the trace keeps the references."""
        lookup = self._lookup
        if lookup is None:
            from agent.secret_store import get_secret

            lookup = get_secret
        env, env_secrets = resolve_secrets(server.env, lookup)
        headers, header_secrets = resolve_secrets(server.headers, lookup)
        args, arg_secrets = resolve_secrets({str(i): arg for i, arg in enumerate(server.args)}, lookup)
        self.secret_values |= env_secrets | header_secrets | arg_secrets
        return env, headers, tuple(args.values())

    # -- calls ----------------------------------------------------------------------------------------
    async def call_tool(
        self, name: str, tool: str, arguments: dict[str, Any], *, timeout_s: float | None = None
    ) -> CallOutcome:
        """Call `tool` on server `name`. Raises McpError (naming the server) when it is not running, breaks
        or does not answer in time; a broken server is marked failed."""
        connection = self._live(name)
        server = self.server(name)
        try:
            return await connection.call_tool(tool, arguments, timeout_s or server.timeout_s or self.call_timeout_s)
        except McpError as error:
            self._after_failure(name, connection, str(error))
            raise

    async def read_resource(self, name: str, uri: str, *, timeout_s: float | None = None) -> CallOutcome:
        connection = self._live(name)
        try:
            return await connection.read_resource(uri, timeout_s or self.call_timeout_s)
        except McpError as error:
            self._after_failure(name, connection, str(error))
            raise

    async def get_prompt(
        self, name: str, prompt: str, arguments: dict[str, str] | None = None, *, timeout_s: float | None = None
    ) -> list[dict[str, str]]:
        """The messages of a server's prompt (`[{"role", "text"}]`), for a slash command."""
        connection = self._live(name)
        try:
            return await connection.get_prompt(prompt, arguments or {}, timeout_s or self.call_timeout_s)
        except McpError as error:
            self._after_failure(name, connection, str(error))
            raise

    def argument_guard(self, root: Path, never_to_cloud: list[str], secrets: set[str]) -> ArgumentGuard:
        return ArgumentGuard(root, never_to_cloud, secrets | self.secret_values)

    def _live(self, name: str) -> Connection:
        connection = self.connection(name)
        if connection is None:
            state = self.state(name)
            why = f": {state.last_error}" if state.last_error else f" (it is {state.status})"
            raise McpError(f"the MCP server '{name}' is not running{why}")
        return connection

    def _after_failure(self, name: str, connection: Connection, error: str) -> None:
        if connection.alive:
            self._set(replace(self._states[name], last_error=error))
            return
        self._forget(name, connection)
        self._set(replace(self._states[name], status="failed", last_error=error))

    def _on_broken(self, connection: Connection) -> None:
        """A running server exited, closed its connection or wrote garbage, in a call or while idle: it is
        failed at once, with why and its last stderr (a call in progress then says more, naming itself)."""
        name = connection.server.name
        if self._forget(name, connection):
            error = connection.describe(connection.broken_reason)
            self._set(replace(self._states[name], status="failed", last_error=error))

    def _forget(self, name: str, connection: Connection) -> bool:
        """Drop a broken connection and close it in the background; False when it was already dropped."""
        if self._connections.get(name) is not connection:
            return False
        del self._connections[name]
        closing = asyncio.ensure_future(connection.close())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        return True

    # -- state ----------------------------------------------------------------------------------------
    def _initial(self, server: ServerConfig) -> ServerState:
        trust = self.trust_store.status(self.workspace, server)
        status: Status = "stopped"
        error = ""
        refusal = local_only_refusal(server, self.local_only, self.local_only_source)
        if server.disabled:
            status = "disabled"
        elif refusal is not None:
            status, error = "refused", refusal
        elif trust in ("untrusted", "changed"):
            status = "untrusted"
        return ServerState(
            name=server.name,
            origin=server.origin,
            transport=server.transport,
            command_line=server.command_line(),
            status=status,
            locality=locality_of(server),
            last_error=error,
            trust=trust,
            secret_references=tuple(server.secret_references()),
        )

    def _running(self, server: ServerConfig, connection: Connection) -> ServerState:
        return replace(
            self._initial(server),
            status="running",
            tool_count=len(connection.tools),
            tools=tuple(t.qualified for t in connection.tools),
            resource_count=len(connection.resources),
            prompt_count=len(connection.prompts),
            server_info=dict(connection.server_info),
            last_error="; ".join(connection.notes),
        )

    def _set(self, state: ServerState) -> None:
        self._states[state.name] = state
        for listener in self._listeners:
            listener(state)

    def _lock(self, name: str) -> asyncio.Lock:
        return self._locks.setdefault(name, asyncio.Lock())

    def _unknown(self, name: str) -> str:
        known = ", ".join(self._states) or "none"
        return (
            f"no MCP server is named '{name}' (declared: {known}); add it to ~/.config/flambeau/mcp.json "
            "or the workspace's .mcp.json"
        )
