"""initialize: read the client's Flambeau capabilities and the task defaults. Nothing heavy is imported."""

from __future__ import annotations

from lsprotocol import types

from lsp.server import FlambeauServer


def initialize(ls: FlambeauServer, params: types.InitializeParams) -> None:
    ls.configure(params)


async def shutdown(ls: FlambeauServer, params: None) -> None:
    """Cancel running tasks so their traces end as cancelled before the client says exit."""
    await ls.tasks.cancel_all()
