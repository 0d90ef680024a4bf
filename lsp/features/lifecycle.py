"""initialize: read the client's Flambeau capabilities and the task defaults; nothing heavy is imported.
initialized: the agent warms up in the background (lsp/warmup.py)."""

from __future__ import annotations

from lsprotocol import types

from lsp.server import FlambeauServer


def initialize(ls: FlambeauServer, params: types.InitializeParams) -> None:
    ls.configure(params)


def initialized(ls: FlambeauServer, params: types.InitializedParams) -> None:
    ls.warmup.start()


async def shutdown(ls: FlambeauServer, params: None) -> None:
    """Cancel running tasks so their traces end as cancelled before the client says exit."""
    await ls.tasks.cancel_all()
