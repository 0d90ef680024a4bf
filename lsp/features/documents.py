"""Text document sync: pygls keeps the buffers; these wake edits waiting for their didChange."""

from __future__ import annotations

from lsprotocol import types

from lsp.server import FlambeauServer


async def did_open(ls: FlambeauServer, params: types.DidOpenTextDocumentParams) -> None:
    await ls.documents.note_change()


async def did_change(ls: FlambeauServer, params: types.DidChangeTextDocumentParams) -> None:
    await ls.documents.note_change()


async def did_close(ls: FlambeauServer, params: types.DidCloseTextDocumentParams) -> None:
    await ls.documents.note_change()
