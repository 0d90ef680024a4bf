"""One connection to one MCP server, through the official SDK's `Client` and its transports (stdio,
streamable HTTP, SSE).

The SDK's client is an async context manager whose cancel scopes must be entered and left by the same
task, so each connection owns a task that holds it open until `close`. Every wait is bounded: the
handshake by the start timeout, a call by its timeout; a server that exits, or writes something that
is not JSON-RPC, fails the call in progress at once and the connection is marked broken. Closing a
stdio connection is the SDK's shutdown sequence (stdin closed, then SIGTERM and SIGKILL to the server's
own process group), so no server outlives its connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

from agent.mcp.config import ServerConfig
from agent.mcp.elicitation import ElicitationMode, elicitation_callback
from agent.mcp.reaper import MARKER_VARIABLE, new_marker, reap
from agent.mcp.state import CallOutcome, McpError, McpTimeout, PromptInfo, ToolInfo
from tools.policy.mcp_rules import qualified_name

CLOSE_TIMEOUT_S = 8.0
"""The SDK's stdio shutdown waits at most 2 s for an exit, 2 s after SIGTERM, 2 s after SIGKILL."""
STDERR_TAIL_CHARS = 600
MAX_LIST_PAGES = 50
ENDED = "the connection ended (the server exited or closed it)"

T = TypeVar("T")


def _flambeau_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flambeau")
    except PackageNotFoundError:
        return "0"


class Connection:
    """A live connection; `open` returns one that has finished the handshake and listed the tools."""

    def __init__(
        self,
        server: ServerConfig,
        workspace: Path,
        env: dict[str, str],
        headers: dict[str, str],
        elicitation: ElicitationMode = "decline",
        args: tuple[str, ...] | None = None,
    ) -> None:
        self.server = server
        self.workspace = workspace
        self._env = env
        self._headers = headers
        self._args = server.args if args is None else args
        """The arguments a stdio server runs with (keyring references resolved); `server.args` keeps them."""
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._broken = asyncio.Event()
        self.broken_reason = ""
        self.server_info: dict[str, str] = {}
        self.tools: list[ToolInfo] = []
        self.prompts: list[PromptInfo] = []
        self.resources: list[dict[str, Any]] = []
        self.notes: list[str] = []
        """What was set aside from what the server offers, for people (its state's `last_error`)."""
        self._stderr: TextIO | None = None
        self._marker = new_marker()
        self._elicitation = elicitation
        self._in_flight = 0
        self.on_broken: Callable[[Connection], None] | None = None
        """Told once when the connection breaks (the server exited, closed it or wrote garbage), in a
        call or while idle."""

    # -- life -----------------------------------------------------------------------------------------
    @classmethod
    async def open(
        cls,
        server: ServerConfig,
        workspace: Path,
        env: dict[str, str],
        headers: dict[str, str],
        timeout_s: float,
        *,
        args: tuple[str, ...] | None = None,
        elicitation: ElicitationMode = "decline",
        on_broken: Callable[[Connection], None] | None = None,
    ) -> Connection:
        """Start or reach the server, shake hands and list what it offers, within `timeout_s`.
        `elicitation` says how a server's questions to the user are answered (agent/mcp/elicitation.py)."""
        logging.getLogger("mcp").addHandler(logging.NullHandler())  # the SDK's tracebacks: said in our errors
        connection = cls(server, workspace, env, headers, elicitation, args)
        await connection._start(timeout_s)
        connection.on_broken = on_broken
        return connection

    async def _start(self, timeout_s: float) -> None:
        self._task = asyncio.create_task(self._hold(), name=f"mcp-{self.server.name}")
        ready = asyncio.create_task(self._ready.wait())
        broken = asyncio.create_task(self._broken.wait())
        try:
            await asyncio.wait({self._task, ready, broken}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
            broken.cancel()
        if self._ready.is_set() and not self._broken.is_set():
            return
        if self._broken.is_set():
            problem = self.broken_reason
        elif self._task.done():
            problem = self._failure_text(self._task)
        else:
            problem = f"it did not finish the MCP handshake within {timeout_s:g} s"
        await self._stop_task()
        message = self._describe(problem)  # before `close`, while its stderr can still be read
        await self.close()
        raise McpError(message)

    async def _hold(self) -> None:
        """Owns the SDK client from entry to exit (one task, as its cancel scopes require)."""
        from mcp import Client
        from mcp.types import Implementation

        try:
            async with AsyncExitStack() as stack:
                transport = _Watched(await self._transport(stack), self._on_transport_end)
                client = Client(
                    transport,
                    client_info=Implementation(name="flambeau", version=_flambeau_version()),
                    message_handler=self._on_message,
                    elicitation_callback=elicitation_callback(self._elicitation, self.server.name),
                    cache=None,
                )
                self._client = await stack.enter_async_context(client)
                await self._load(self._client)
                self._ready.set()
                await _first_of(self._stop, self._broken)
        finally:
            self._client = None
            if self._ready.is_set() and not self._stop.is_set():
                self._break("the connection ended")

    async def _transport(self, stack: AsyncExitStack) -> Any:
        server = self.server
        if server.is_stdio:
            from mcp.client.stdio import StdioServerParameters, stdio_client

            if self._stderr is None:  # kept past the client's exit, so failures can quote it; closed in `close`
                scratch = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
                self._stderr = cast(TextIO, scratch)
            cwd = (self.workspace / server.cwd) if server.cwd else self.workspace
            env = {**self._env, MARKER_VARIABLE: self._marker}
            params = StdioServerParameters(command=server.command or "", args=list(self._args), env=env, cwd=cwd)
            return stdio_client(params, errlog=self._stderr)
        assert server.url is not None
        if server.transport == "sse":
            from mcp.client.sse import sse_client

            return sse_client(server.url, headers=self._headers or None)
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        http = await stack.enter_async_context(
            httpx2.AsyncClient(headers=self._headers, timeout=httpx2.Timeout(30.0, read=300.0))
        )
        return streamable_http_client(server.url, http_client=http)

    async def _load(self, client: Any) -> None:
        info = client.server_info
        if info is not None:
            self.server_info = {"name": str(info.name), "version": str(info.version)}
        capabilities = client.server_capabilities
        if capabilities.tools is not None:
            self.tools = await self._all_tools(client)
        if capabilities.prompts is not None:
            with contextlib.suppress(Exception):  # prompts are extras: a server that fails them still serves tools
                listed = await client.list_prompts()
                self.prompts = [
                    PromptInfo(
                        name=p.name,
                        description=p.description or "",
                        arguments=[
                            {"name": a.name, "description": a.description or "", "required": bool(a.required)}
                            for a in (p.arguments or [])
                        ],
                    )
                    for p in listed.prompts
                ]
        if capabilities.resources is not None:
            with contextlib.suppress(Exception):
                listed_resources = await client.list_resources()
                self.resources = [
                    {"uri": str(r.uri), "name": r.name, "description": r.description or "", "mime_type": r.mime_type}
                    for r in listed_resources.resources
                ]

    async def _all_tools(self, client: Any) -> list[ToolInfo]:
        """Every tool the server lists, but those whose names become the same `mcp__<server>__<tool>`:
        neither is offered (a call or a policy rule could not tell them apart); `notes` says which."""
        claims: dict[str, list[ToolInfo]] = {}
        cursor: str | None = None
        for _ in range(MAX_LIST_PAGES):
            page = await client.list_tools(cursor=cursor)
            for tool in page.tools:
                qualified = qualified_name(self.server.name, tool.name)
                schema = tool.input_schema if isinstance(tool.input_schema, dict) else {"type": "object"}
                claims.setdefault(qualified, []).append(ToolInfo(tool.name, qualified, tool.description or "", schema))
            cursor = page.next_cursor
            if not cursor:
                break
        for qualified, tools in claims.items():
            names = sorted({t.name for t in tools})
            if len(names) > 1:
                self.notes.append(
                    f"its tools {', '.join(repr(n) for n in names)} all become {qualified}, so none of them is "
                    "offered (a call or a policy rule could not tell them apart); the server should rename them"
                )
        return [tools[0] for tools in claims.values() if len({t.name for t in tools}) == 1]

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, ValueError):  # a line or event that does not parse (pydantic's errors are ValueErrors)
            self._break(f"it wrote something that is not MCP JSON-RPC: {_garbage(message)}")
        elif isinstance(message, Exception):  # the transport's own failure: a remote server went away
            self._break(f"{ENDED}: {_short(message)}")

    def _on_transport_end(self) -> None:
        """The server's stream ended: after the handshake and before our own close, it left us."""
        if self._ready.is_set() and not self._stop.is_set():
            self._break(ENDED if self._in_flight else f"{ENDED} while it was idle")

    def _break(self, reason: str) -> None:
        if not self._broken.is_set():
            self.broken_reason = reason
            self._broken.set()
            if self.on_broken is not None:
                self.on_broken(self)

    @property
    def alive(self) -> bool:
        return self._client is not None and not self._broken.is_set()

    async def close(self) -> None:
        """Leave the SDK client (stopping a stdio server's whole process group); bounded."""
        await self._stop_task()
        if self.server.is_stdio:
            await reap(self._marker)
        if self._stderr is not None:
            self._stderr.close()

    async def _stop_task(self) -> None:
        self._stop.set()
        task = self._task
        if task is not None and not task.done():
            # A connection past its handshake leaves on `_stop`; one still in it only notices a cancel.
            done = (await asyncio.wait({task}, timeout=CLOSE_TIMEOUT_S / 2))[0] if self._ready.is_set() else set()
            if not done:
                task.cancel()
                await asyncio.wait({task}, timeout=CLOSE_TIMEOUT_S)
        if task is not None and task.done() and not task.cancelled():
            task.exception()  # retrieved: a failure while closing is not news

    # -- requests -------------------------------------------------------------------------------------
    async def call_tool(self, tool: str, arguments: dict[str, Any], timeout_s: float) -> CallOutcome:
        from agent.mcp.results import outcome_of_call

        result = await self._request(
            f"the tool {tool}", lambda c: c.call_tool(tool, arguments, read_timeout_seconds=timeout_s), timeout_s
        )
        return outcome_of_call(result)

    async def read_resource(self, uri: str, timeout_s: float) -> CallOutcome:
        from agent.mcp.results import outcome_of_read

        result = await self._request(f"the resource {uri}", lambda c: c.read_resource(uri), timeout_s)
        return outcome_of_read(result)

    async def get_prompt(self, name: str, arguments: dict[str, str], timeout_s: float) -> list[dict[str, str]]:
        from agent.mcp.results import prompt_messages

        result = await self._request(f"the prompt {name}", lambda c: c.get_prompt(name, arguments), timeout_s)
        return prompt_messages(result)

    async def _request(self, what: str, send: Callable[[Any], Awaitable[T]], timeout_s: float) -> T:
        """One request, failed at once when the server breaks, and within `timeout_s` when it does not answer."""
        from mcp import MCPError
        from mcp_types import CONNECTION_CLOSED

        client = self._client
        if client is None or self._broken.is_set():
            raise McpError(self._describe(self.broken_reason or "it is not connected"))
        request = asyncio.create_task(_awaited(send(client)))
        broken = asyncio.create_task(self._broken.wait())
        task_ended = self._task if self._task is not None else broken
        self._in_flight += 1
        try:
            await asyncio.wait({request, broken, task_ended}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            request.cancel()
            raise
        finally:
            self._in_flight -= 1
            broken.cancel()
        if not request.done():
            request.cancel()
            if self._broken.is_set() or (self._task is not None and self._task.done()):
                raise McpError(self._describe(self.broken_reason or "the connection ended", what))
            raise McpTimeout(self._describe(f"no answer within {timeout_s:g} s", what))
        try:
            return request.result()
        except MCPError as error:
            if error.code == CONNECTION_CLOSED and error.message == "Connection closed":
                self._break(ENDED)
            if self._broken.is_set():
                raise McpError(self._describe(self.broken_reason, what)) from error
            raise McpError(self._describe(f"it answered with an error: {error.message}", what)) from error
        except TimeoutError as error:
            raise McpTimeout(self._describe(f"no answer within {timeout_s:g} s", what)) from error
        except Exception as error:  # the SDK's validation and transport errors, named for the user
            if self._broken.is_set():
                raise McpError(self._describe(self.broken_reason, what)) from error
            raise McpError(self._describe(_short(error), what)) from error

    # -- words ----------------------------------------------------------------------------------------
    def describe(self, problem: str, what: str = "") -> str:
        """`problem` as an error naming the server (and `what` it was doing), with its last stderr."""
        return self._describe(problem, what)

    def _describe(self, problem: str, what: str = "") -> str:
        subject = f"the MCP server '{self.server.name}' ({self.server.command_line()})"
        about = f" while running {what}" if what else ""
        text = f"{subject} failed{about}: {problem}"
        tail = self.stderr_tail()
        if tail:
            text += f"; its last words on stderr: {tail}"
        return text

    def stderr_tail(self) -> str:
        if self._stderr is None or self._stderr.closed:
            return ""
        try:
            self._stderr.flush()
            self._stderr.seek(0, 2)
            size = self._stderr.tell()
            self._stderr.seek(max(size - STDERR_TAIL_CHARS * 4, 0))
            text = self._stderr.read()
        except (OSError, ValueError):
            return ""
        return " ".join(text.split())[-STDERR_TAIL_CHARS:]

    def _failure_text(self, task: asyncio.Task[None]) -> str:
        if task.cancelled():
            return "its start was cancelled"
        error = task.exception()
        if error is None:
            return "the connection ended during the handshake"
        text = _short(error)
        if text == "Connection closed":
            return "it exited or closed the connection during the MCP handshake"
        return text


async def _awaited(value: Awaitable[T]) -> T:
    return await value


async def _first_of(*events: asyncio.Event) -> None:
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


class _Watched:
    """A transport whose read stream says when it ends: a stdio server that exits closes it, so a death
    while idle is noticed at once instead of at the next call."""

    def __init__(self, inner: Any, on_end: Callable[[], None]) -> None:
        self._inner = inner
        self._on_end = on_end

    async def __aenter__(self) -> tuple[Any, Any]:
        read, write = await self._inner.__aenter__()
        return _WatchedRead(read, self._on_end), write

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._inner.__aexit__(*exc)


class _WatchedRead:
    def __init__(self, inner: Any, on_end: Callable[[], None]) -> None:
        self._inner = inner
        self._on_end = on_end

    def __getattr__(self, name: str) -> Any:  # e.g. `last_context`, read by the SDK's dispatcher
        return getattr(self._inner, name)

    def __aiter__(self) -> _WatchedRead:
        return self

    async def __anext__(self) -> Any:
        import anyio

        try:
            return await self._inner.__anext__()
        except (StopAsyncIteration, anyio.EndOfStream, anyio.ClosedResourceError):
            self._on_end()
            raise

    async def receive(self) -> Any:
        import anyio

        try:
            return await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self._on_end()
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _WatchedRead:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._inner.__aexit__(*exc)


def _garbage(error: Exception) -> str:
    """What the server wrote instead of a message, quoted (a parse error carries the line it read)."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError) and error.errors():
        line = error.errors()[0].get("input")
        if isinstance(line, str):
            return repr(line[:120] + ("…" if len(line) > 120 else ""))
    return _short(error)


def _short(error: BaseException) -> str:
    """The innermost useful message of an error (task groups wrap the real one)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, FileNotFoundError):
        return f'the program was not found ({error.filename or error}); check "command" and your PATH'
    if isinstance(error, PermissionError):
        return f"the program cannot be run ({error})"
    text = str(error).strip() or type(error).__name__
    first = text.splitlines()[0] if text else type(error).__name__
    return first[:300]
