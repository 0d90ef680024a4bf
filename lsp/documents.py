"""The editor's view of files for the tools: unsaved buffers for reads, `workspace/applyEdit` for writes.

Implements `tools.base.DocumentProvider`. Documents the client has open (text document sync) are read
from the server's copy of the buffer; edits to them are sent as line-level `TextEdit`s so the user's
undo stack, cursor and other unsaved work are kept. Files that are not open are left to the tools.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.workspace import TextDocument

from lsp.client_requests import ClientGone, ClientRequestTimeout, request_client

if TYPE_CHECKING:
    from lsp.server import FlambeauServer

APPLY_EDIT_TIMEOUT_S = 60.0
SYNC_WAIT_S = 2.0
"""How long to wait for the client's didChange after it applied an edit."""


class EditorDocuments:
    def __init__(self, server: FlambeauServer) -> None:
        self.server = server
        self._changed = asyncio.Condition()

    def find(self, path: Path) -> TextDocument | None:
        """The open document for `path` (compared after resolving symlinks), or None."""
        if not self.server.initialized:
            return None
        wanted = _resolved(path)
        for document in list(self.server.workspace.text_documents.values()):
            if document.uri.startswith("file:") and _resolved(Path(document.path)) == wanted:
                found: TextDocument = document
                return found
        return None

    def buffers_under(self, root: Path) -> dict[str, bytes]:
        """Each open document under `root` whose buffer differs from its file (unsaved), by relative path
        (agent/checkpointing.py `OpenBuffers`: a checkpoint holds what the editor shows)."""
        found: dict[str, bytes] = {}
        if not self.server.initialized:
            return found
        base = _resolved(root)
        for document in list(self.server.workspace.text_documents.values()):
            if not document.uri.startswith("file:"):
                continue
            path = _resolved(Path(document.path))
            if base not in path.parents:
                continue
            data = document.source.encode("utf-8")
            try:
                if path.read_bytes() == data:
                    continue
            except OSError:
                pass  # not on disk (yet): the buffer is all there is
            found[path.relative_to(base).as_posix()] = data
        return found

    def open_text(self, path: Path) -> str | None:
        document = self.find(path)
        return document.source if document is not None else None

    async def apply_text(self, path: Path, new_text: str) -> bool | None:
        """True when the editor applied the edit, False when it refused, None when the tool should write the
        file itself (the document is not open, or the client never declared `workspace.applyEdit`)."""
        document = self.find(path)
        if document is None or not self._client_applies_edits():
            return None
        edits = line_edits(document, new_text)
        if not edits:
            return True
        params = types.ApplyWorkspaceEditParams(
            edit=self._workspace_edit(document, edits), label=f"Flambeau: edit {path.name}"
        )
        try:
            result = await request_client(
                self.server.protocol, types.WORKSPACE_APPLY_EDIT, params, timeout_s=APPLY_EDIT_TIMEOUT_S
            )
        except (JsonRpcException, ClientRequestTimeout, ClientGone):
            return False
        if not isinstance(result, types.ApplyWorkspaceEditResult) or not result.applied:
            return False
        await self._wait_for_content(path, new_text)
        return True

    def _client_applies_edits(self) -> bool:
        workspace = self.server.client_capabilities.workspace
        return workspace is not None and workspace.apply_edit is True

    async def note_change(self) -> None:
        """Called on every didOpen/didChange/didClose; wakes edits waiting for their content to arrive."""
        async with self._changed:
            self._changed.notify_all()

    async def _wait_for_content(self, path: Path, text: str) -> None:
        def arrived() -> bool:
            document = self.find(path)
            return document is None or document.source == text

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(arrived), SYNC_WAIT_S)
            except TimeoutError:
                return  # the client applied the edit but normalised it (e.g. line endings); carry on

    def _workspace_edit(self, document: TextDocument, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        capabilities = self.server.client_capabilities.workspace
        edit_caps = capabilities.workspace_edit if capabilities is not None else None
        if edit_caps is not None and edit_caps.document_changes:
            versioned = types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version)
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=versioned, edits=edits)])
        return types.WorkspaceEdit(changes={document.uri: edits})


def line_edits(document: TextDocument, new_text: str) -> list[types.TextEdit]:
    """The smallest set of whole-line replacements that turns the buffer into `new_text`."""
    import difflib

    old_lines = document.source.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=types.Range(start=_line_start(document, old_lines, i1), end=_line_start(document, old_lines, i2)),
                new_text="".join(new_lines[j1:j2]),
            )
        )
    return edits


def _line_start(document: TextDocument, lines: list[str], index: int) -> types.Position:
    """Where line `index` starts; past a last line without a newline, the end of that line."""
    if index < len(lines) or not lines or lines[-1].endswith(("\n", "\r")):
        return types.Position(line=index, character=0)
    last = lines[-1]
    return types.Position(line=len(lines) - 1, character=document.position_codec.client_num_units(last))


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
