"""A real LSP client (pygls's) driving `flambeau lsp` over stdio, with a scriptable editor behind it.

The "editor" keeps its own copy of each open document, applies `workspace/applyEdit` to it and sends
the change back (didChange), answers `flambeau/approve` from a list of decisions, and records every
`flambeau/event` notification. Tests wait for conditions, never for fixed times.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import BaseLanguageClient
from pygls.uris import from_fs_path

from lsp.converter import plain_json_converter

ROOT = Path(__file__).resolve().parent.parent
WAIT_S = 60.0

Answer = dict[str, Any] | asyncio.Event | None
"""An approval answer; an `asyncio.Event` holds the answer (deny) until it is set; None never answers."""


class Editor:
    def __init__(self, client: BaseLanguageClient, log: Path) -> None:
        self.client = client
        self.log = log
        self.events: list[dict[str, Any]] = []
        self.approval_requests: list[dict[str, Any]] = []
        self.approval_answers: list[Answer] = []
        self.message_requests: list[types.ShowMessageRequestParams] = []
        self.message_answer: str | None = "Approve"
        self.question_requests: list[dict[str, Any]] = []
        self.question_answers: list[str | None] = []
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.accept_edits = True
        self.progress: list[Any] = []
        self.mcp_changes: list[dict[str, Any]] = []
        """Every `flambeau/mcpServersChanged` notification's params, in order."""
        self.documents: dict[str, tuple[str, int]] = {}
        self.changed = asyncio.Condition()
        self._register()

    # -- what the editor answers --------------------------------------------------------------
    def _register(self) -> None:
        client = self.client

        @client.feature("flambeau/event")
        async def on_event(params: Any) -> None:
            self.events.append(params)
            await self._notify()

        @client.feature("flambeau/mcpServersChanged")
        async def on_mcp_changed(params: Any) -> None:
            self.mcp_changes.append(params)
            await self._notify()

        @client.feature("flambeau/approve")
        async def on_approve(params: Any) -> Any:
            answer = self.approval_answers.pop(0) if self.approval_answers else {"decision": "deny"}
            self.approval_requests.append(params)
            await self._notify()
            if isinstance(answer, asyncio.Event):
                await answer.wait()
                return {"decision": "deny", "reason": "answered late"}
            if answer is None:
                await asyncio.Event().wait()
            return answer

        @client.feature("flambeau/ask")
        async def on_ask(params: Any) -> Any:
            self.question_requests.append(params)
            await self._notify()
            return {"answer": self.question_answers.pop(0) if self.question_answers else None}

        @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
        async def on_message_request(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
            answer = self.message_answer
            self.message_requests.append(params)
            await self._notify()
            return types.MessageActionItem(title=answer) if answer else None

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        async def on_apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            self.applied_edits.append(params)
            if not self.accept_edits:
                await self._notify()
                return types.ApplyWorkspaceEditResult(applied=False, failure_reason="the user said no")
            for change in params.edit.document_changes or []:
                assert isinstance(change, types.TextDocumentEdit)
                self._apply(change.text_document.uri, list(change.edits))  # type: ignore[arg-type]
            for uri, edits in (params.edit.changes or {}).items():
                self._apply(uri, list(edits))
            await self._notify()
            return types.ApplyWorkspaceEditResult(applied=True)

        @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_progress_create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @client.feature(types.PROGRESS)
        async def on_progress(params: types.ProgressParams) -> None:
            self.progress.append(params.value)
            await self._notify()

        @client.feature(types.WINDOW_SHOW_MESSAGE)
        def on_show_message(params: types.ShowMessageParams) -> None:
            return None

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def _apply(self, uri: str, edits: list[types.TextEdit]) -> None:
        text, version = self.documents[uri]
        for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            start, end = offset(text, edit.range.start), offset(text, edit.range.end)
            text = text[:start] + edit.new_text + text[end:]
        self.documents[uri] = (text, version + 1)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version + 1),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    # -- what the editor does -----------------------------------------------------------------
    def open(self, path: Path, text: str) -> str:
        """Open `path` with `text` in the buffer (which may differ from the file on disk)."""
        uri = from_fs_path(str(path))
        assert uri is not None
        self.documents[uri] = (text, 1)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        return uri

    def buffer(self, uri: str) -> str:
        return self.documents[uri][0]

    async def request(self, method: str, params: Any) -> Any:
        return await asyncio.wait_for(self.client.protocol.send_request_async(method, params), WAIT_S)

    async def start_task(self, task: str, **options: Any) -> str:
        answer = await self.request("flambeau/startTask", {"task": task, **options})
        task_id: str = answer["taskId"]
        return task_id

    async def wait_until(self, condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(condition), timeout)

    def events_of(self, task_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        found = [n["event"] for n in self.events if n["taskId"] == task_id]
        return [e for e in found if kind is None or e["type"] == kind]

    def ended(self, task_id: str) -> bool:
        return bool(self.events_of(task_id, "task_finished") or self.events_of(task_id, "task_failed"))

    async def wait_for_end(self, task_id: str, timeout: float = WAIT_S) -> dict[str, Any]:
        await self.wait_until(lambda: self.ended(task_id), timeout)
        return [e for e in self.events_of(task_id) if e["type"] in ("task_finished", "task_failed")][-1]


def flambeau_command(log: Path, python_flags: str = "") -> list[str]:
    """`flambeau lsp` with its stderr in `log` (pygls's client pipes stderr and never reads it)."""
    return ["/bin/sh", "-c", f'exec "$0" {python_flags} -m cli.main lsp 2>>"$1"', sys.executable, str(log)]


async def wait_for_path(path: Path, timeout: float = WAIT_S) -> str:
    """Wait until a file a command writes exists and is not empty; returns its content."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        await asyncio.sleep(0.02)
    return path.read_text()


def process_gone(pid: int) -> bool:
    """True when the process no longer runs (absent, or a zombie nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


async def wait_gone(pid: int, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not process_gone(pid):
        if time.monotonic() > deadline:
            raise TimeoutError(f"process {pid} is still running")
        await asyncio.sleep(0.02)


async def start_editor(
    workspace: Path,
    log: Path,
    *,
    init_options: dict[str, Any] | None = None,
    approvals: bool = True,
    progress: bool = True,
    python_flags: str = "",
    apply_edit: bool = True,
    questions: bool = False,
    locale: str | None = None,
) -> tuple[Editor, types.InitializeResult]:
    client = BaseLanguageClient("flambeau-tests", "1", converter_factory=plain_json_converter)
    editor = Editor(client, log)
    cmd = flambeau_command(log, python_flags)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(cmd[0], *cmd[1:], env=env, cwd=str(workspace))
    experimental = {"flambeau": {"approvals": True, "events": True, "questions": questions}} if approvals else None
    result = await asyncio.wait_for(
        client.initialize_async(
            types.InitializeParams(
                process_id=os.getpid(),
                root_uri=from_fs_path(str(workspace)),
                capabilities=types.ClientCapabilities(
                    experimental=experimental,
                    window=types.WindowClientCapabilities(work_done_progress=progress),
                    workspace=types.WorkspaceClientCapabilities(
                        apply_edit=apply_edit,
                        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
                    ),
                ),
                initialization_options=init_options,
                locale=locale,
            )
        ),
        WAIT_S,
    )
    client.initialized(types.InitializedParams())
    return editor, result


async def stop_editor(editor: Editor) -> None:
    client = editor.client
    if not client.stopped:
        await asyncio.wait_for(client.shutdown_async(None), WAIT_S)
        client.exit(None)
        await asyncio.wait_for(client.stop(), WAIT_S)


def offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    if position.line >= len(lines):
        return len(text)
    return sum(len(line) for line in lines[: position.line]) + position.character
