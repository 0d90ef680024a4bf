"""Tasks through the language server, end to end over stdio: pygls's client, the scripted model over HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types

from tests.lsp_harness import Editor, start_editor, stop_editor
from tests.raw_lsp import RawServer
from tests.scripted_server import Reply, ScriptedModelServer, call

Scenario = Callable[[Editor], Awaitable[None]]


def run_editor(
    workspace: Path,
    server: ScriptedModelServer,
    scenario: Scenario,
    *,
    approvals: bool = True,
    options: dict[str, Any] | None = None,
    apply_edit: bool = True,
    questions: bool = False,
    locale: str | None = None,
) -> None:
    async def main() -> None:
        init = {"model": "openai/scripted", "apiBase": server.base_url, **(options or {})}
        editor, _ = await start_editor(
            workspace,
            workspace.parent / "server.log",
            init_options=init,
            approvals=approvals,
            apply_edit=apply_edit,
            questions=questions,
            locale=locale,
        )
        try:
            await scenario(editor)
        finally:
            await stop_editor(editor)

    asyncio.run(main())


def tool_messages(server: ScriptedModelServer, request_index: int) -> list[str]:
    body = server.chat_requests[request_index].body
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def test_initialize_declares_the_flambeau_protocol(workspace: Path, model_server: ScriptedModelServer) -> None:
    async def main() -> None:
        editor, result = await start_editor(workspace, workspace.parent / "server.log")
        try:
            assert result.server_info is not None and result.server_info.name == "flambeau"
            flambeau = result.capabilities.experimental["flambeau"]  # type: ignore[index]
            assert flambeau["protocolVersion"] == 2
            assert "flambeau/startTask" in flambeau["methods"] and "flambeau/setKey" in flambeau["methods"]
            assert result.capabilities.execute_command_provider is not None
            assert set(result.capabilities.execute_command_provider.commands) >= {
                "flambeau.startTask",
                "flambeau.cancelTask",
                "flambeau.fixDiagnostic",
            }
            assert result.capabilities.code_action_provider
            sync = result.capabilities.text_document_sync
            assert isinstance(sync, types.TextDocumentSyncOptions)
            assert sync.change == types.TextDocumentSyncKind.Incremental
        finally:
            await stop_editor(editor)

    asyncio.run(main())


def test_the_progress_bar_speaks_the_editors_language(workspace: Path, model_server: ScriptedModelServer) -> None:
    """`initialize`'s `locale`: the status bar's progress messages are in the display language (the task's
    own text and the tool names stay as they are)."""
    model_server.add(call("run_command", command="echo one > first.txt"), call("attempt_completion", result="ok"))

    async def scenario(editor: Editor) -> None:
        editor.approval_answers = [{"decision": "approve"}]
        task_id = await editor.start_task("une commande")
        await editor.wait_for_end(task_id)
        await editor.wait_until(lambda: bool(editor.progress) and editor.progress[-1]["kind"] == "end")
        begin, *reports, end_progress = editor.progress
        assert begin["message"] == "une commande"
        messages = [r["message"] for r in reports]
        assert "en attente d'approbation : run_command" in messages, messages
        assert "étape 1 : le modèle a répondu" in messages, messages
        assert end_progress == {"kind": "end", "message": "terminée"}

    run_editor(workspace, model_server, scenario, locale="fr-FR")


def test_a_task_streams_its_events_and_asks_before_each_command(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(
        Reply(text="Two commands, then done.", tool_calls=[("run_command", {"command": "echo one > first.txt"})]),
        call("run_command", command="echo two > second.txt"),
        call("attempt_completion", result="made first.txt"),
    )

    async def scenario(editor: Editor) -> None:
        editor.approval_answers = [{"decision": "approve"}, {"decision": "deny", "reason": "not that one"}]
        task_id = await editor.start_task("make two files")
        end = await editor.wait_for_end(task_id)
        assert end["type"] == "task_finished" and end["outcome"] == "completed", end

        kinds = [e["type"] for e in editor.events_of(task_id)]
        assert kinds[0] == "task_started" and "model_request" not in kinds
        assert "".join(e["text"] for e in editor.events_of(task_id, "text_delta")) == "Two commands, then done."
        requests = [r["event"] for r in editor.approval_requests]
        assert [r["summary"] for r in requests] == ["run: echo one > first.txt", "run: echo two > second.txt"]
        assert all(r["taskId"] == task_id for r in editor.approval_requests)
        assert all(e["type"] == "approval_requested" and e["category"] == "command" for e in requests)
        # Each request reaches the editor once: as flambeau/approve, not also as a notification.
        assert editor.events_of(task_id, "approval_requested") == []
        decided = [e for e in editor.events_of(task_id, "approval_decided") if e["tool"] == "run_command"]
        assert [d["call_id"] for d in decided] == [e["call_id"] for e in requests]
        assert [(d["approved"], d["by"]) for d in decided] == [(True, "user"), (False, "user")]
        assert decided[1]["reason"] == "not that one"
        assert kinds.count("usage") == 3 and kinds[-1] == "task_finished"
        await editor.wait_until(lambda: bool(editor.progress) and editor.progress[-1]["kind"] == "end")
        begin, *reports, end_progress = editor.progress
        assert begin["kind"] == "begin" and begin["message"] == "make two files" and begin["cancellable"]
        assert {"kind": "report", "message": "run_command"} in reports
        assert end_progress == {"kind": "end", "message": "completed"}

    run_editor(workspace, model_server, scenario)
    assert (workspace / "first.txt").read_text() == "one\n"
    assert not (workspace / "second.txt").exists()
    assert "Not run: not that one" in tool_messages(model_server, 2)[-1]


def test_unanswered_approval_counts_as_denied_by_timeout(workspace: Path, model_server: ScriptedModelServer) -> None:
    model_server.add(call("run_command", command="touch ran.txt"), call("attempt_completion", result="gave up"))

    async def scenario(editor: Editor) -> None:
        editor.approval_answers = [None]
        task_id = await editor.start_task("touch a file")
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed"
        decided = [e for e in editor.events_of(task_id, "approval_decided") if e["tool"] == "run_command"]
        assert [(d["approved"], d["by"]) for d in decided] == [(False, "timeout")]

    run_editor(workspace, model_server, scenario, options={"approvalTimeoutSeconds": 0.5})
    assert not (workspace / "ran.txt").exists()
    assert "Not run: no answer from the editor" in tool_messages(model_server, 1)[-1]


def test_a_plain_lsp_client_is_asked_with_show_message_request(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(
        call("run_command", command="touch approved.txt"),
        call("run_command", command="touch denied.txt"),
        call("attempt_completion", result="done"),
    )

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("touch two files")
        await editor.wait_until(lambda: len(editor.message_requests) == 1)
        editor.message_answer = "Deny"
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed"
        assert editor.approval_requests == []
        first = editor.message_requests[0]
        assert "run: touch approved.txt" in first.message
        assert [a.title for a in first.actions or []] == ["Approve", "Deny"]
        decided = [e for e in editor.events_of(task_id, "approval_decided") if e["tool"] == "run_command"]
        assert [(d["approved"], d["by"]) for d in decided] == [(True, "user"), (False, "user")]

    run_editor(workspace, model_server, scenario, approvals=False)
    assert (workspace / "approved.txt").exists() and not (workspace / "denied.txt").exists()


def test_a_follow_up_message_reaches_the_model(workspace: Path, model_server: ScriptedModelServer) -> None:
    held = threading.Event()
    model_server.add(
        Reply(tool_calls=[("list_files", {"path": "."})], wait_for=held),
        call("attempt_completion", result="listed"),
    )

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("list the files")
        await asyncio.to_thread(model_server.wait_for_requests, 1)
        assert await editor.request("flambeau/sendMessage", {"taskId": task_id, "text": "and be brief"}) == {}
        held.set()
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed"
        assert [e["text"] for e in editor.events_of(task_id, "user_message")] == ["and be brief"]

    run_editor(workspace, model_server, scenario)
    last = model_server.chat_requests[1].body["messages"]
    assert {"role": "user", "content": "and be brief"} in last


def test_a_message_after_the_end_continues_the_task_and_its_trace(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("attempt_completion", result="first answer"), call("attempt_completion", result="second"))

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("answer twice")
        await editor.wait_for_end(task_id)
        await editor.request("flambeau/sendMessage", {"taskId": task_id, "text": "once more"})
        await editor.wait_until(lambda: len(editor.events_of(task_id, "task_finished")) == 2)
        assert [e["result"] for e in editor.events_of(task_id, "task_finished")] == ["first answer", "second"]
        verdict = await editor.request("flambeau/verifyTrace", {"taskId": task_id})
        assert verdict["verdict"] == "intact", verdict

    run_editor(workspace, model_server, scenario)
    assert {"role": "user", "content": "once more"} in model_server.chat_requests[1].body["messages"]


def test_fix_with_flambeau_is_offered_for_diagnostics_and_selections(workspace: Path, tmp_path: Path) -> None:
    # Raw JSON: lsprotocol's client-side converter mistakes a CodeAction (whose `command` is an object)
    # for a Command, so the answer is checked as it is on the wire.
    server = RawServer(workspace, tmp_path / "server.log")
    try:
        server.initialize()
        uri = (workspace / "calc.py").as_uri()
        item = {"uri": uri, "languageId": "python", "version": 1, "text": "def add(a, b):\n    return a - b\n"}
        server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}})
        where = {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 16}}
        problem = {"range": where, "message": "subtracts instead of adding", "source": "linter"}
        answer = server.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": where, "context": {"diagnostics": [problem]}},
        )
        fix, selection = answer["result"]
        assert fix["title"] == "Fix with Flambeau" and fix["kind"] == "quickfix"
        assert fix["diagnostics"] == [problem]
        assert fix["command"] == {
            "title": "Fix with Flambeau",
            "command": "flambeau.fixDiagnostic",
            "arguments": [uri, where, "subtracts instead of adding"],
        }
        assert selection["kind"] == "refactor.rewrite"
        assert selection["command"]["command"] == "flambeau.fixSelection"
        assert selection["command"]["arguments"] == [uri, where]
        empty = {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 4}}
        nothing = server.request(
            "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": empty, "context": {"diagnostics": []}}
        )
        assert nothing["result"] == []
    finally:
        assert server.close() == 0
