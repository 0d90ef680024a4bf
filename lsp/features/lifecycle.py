"""initialize: read the client's Flambeau capabilities and the task defaults; nothing heavy is imported.
initialized: the agent warms up in the background (lsp/warmup.py), then the workspace's MCP servers start.
shutdown: tasks are cancelled and the MCP servers shut down."""

from __future__ import annotations

from lsprotocol import types

from lsp.server import FlambeauServer


def initialize(ls: FlambeauServer, params: types.InitializeParams) -> None:
    ls.configure(params)


def initialized(ls: FlambeauServer, params: types.InitializedParams) -> None:
    ls.warmup.start()
    ls.mcp.start_soon()


async def shutdown(ls: FlambeauServer, params: None) -> None:
    """Cancel running tasks so their traces end as cancelled before the client says exit; stop the MCP servers."""
    await ls.tasks.cancel_all()
    await ls.mcp.aclose()
