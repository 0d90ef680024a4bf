"""The history over LSP: list, open, resume, delete, export, read from the traces by a real client over stdio,
against the scripted model over HTTP; a server restart between tasks loses nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from agent.trace.witness import witness_path
from tests.lsp_harness import WAIT_S, Editor
from tests.scripted_server import Reply, ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor

TASK = "What do the notes say?"


def _script_first_task(model_server: ScriptedModelServer, workspace: Path) -> None:
    (workspace / "notes.txt").write_text("the secret word is plover\n")
    model_server.add(
        Reply(text="Reading the notes.", tool_calls=[("read_file", {"path": "notes.txt"})]),
        call("write_file", path="answer.txt", content="plover\n"),
        call("attempt_completion", result="The notes name a bird."),
    )


async def _first_task(editor: Editor) -> str:
    task_id = await editor.start_task(TASK, approvalMode="auto-all")
    end = await editor.wait_for_end(task_id)
    assert end["outcome"] == "completed", end
    return task_id


async def _command(editor: Editor, command: str, *arguments: Any) -> Any:
    params = types.ExecuteCommandParams(command=command, arguments=list(arguments))
    return await editor.request(types.WORKSPACE_EXECUTE_COMMAND, params)


def _in_new_server(workspace: Path, model_server: ScriptedModelServer, scenario: Any) -> None:
    """Each call starts its own `flambeau lsp` process: nothing survives in server memory between two calls."""
    run_editor(workspace, model_server, scenario)


def test_history_survives_a_server_restart_and_a_resumed_task_continues_the_conversation(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_first_task(model_server, workspace)
    first: list[str] = []

    async def before_restart(editor: Editor) -> None:
        first.append(await _first_task(editor))

    _in_new_server(workspace, model_server, before_restart)
    model_server.add(call("attempt_completion", result="It was a plover."))

    async def after_restart(editor: Editor) -> None:
        listed = (await editor.request("flambeau/listHistory", {}))["tasks"]
        entry = next(t for t in listed if t["taskId"] == first[0])
        assert entry["task"] == TASK and entry["model"] == "openai/scripted" and entry["locality"] == "local"
        assert entry["outcome"] == "completed" and entry["steps"] == 3 and entry["verdict"] == "intact"
        assert entry["witness"] == "witnessed" and entry["continues"] is None and entry["running"] is False
        assert entry["costUsd"] is not None and entry["startedAt"]

        opened = await editor.request("flambeau/openHistory", {"taskId": first[0]})
        assert opened["verdict"] == "intact" and len(opened["segments"]) == 1
        events = opened["segments"][0]["events"]
        kinds = [e["type"] for e in events]
        assert kinds[0] == "task_started" and kinds[-1] == "task_finished"
        assert "".join(e["text"] for e in events if e["type"] == "text_delta") == "Reading the notes."
        results = {e["tool"]: e for e in events if e["type"] == "tool_result"}
        assert results["read_file"]["output"] == "the secret word is plover\n"
        assert "+plover" in results["write_file"]["file_changes"][0]["diff"]
        assert [e["approved"] for e in events if e["type"] == "approval_decided"] == [True, True, True]

        answer = await editor.request("flambeau/resumeTask", {"taskId": first[0], "text": "Which bird exactly?"})
        assert answer["continues"] == first[0] and answer["taskId"] != first[0]
        end = await editor.wait_for_end(answer["taskId"])
        assert end["outcome"] == "completed", end
        started = editor.events_of(answer["taskId"], "task_started")[0]
        assert started["task"] == TASK and started["extra"]["continues"] == first[0]

        sent = model_server.chat_requests[-1].body["messages"]
        assert sent[1] == {"role": "user", "content": TASK}
        assert {
            "role": "tool",
            "tool_call_id": sent[2]["tool_calls"][0]["id"],
            "content": "the secret word is plover\n",
        } == sent[3]
        assert any("The notes name a bird." in json.dumps(m) for m in sent)
        assert sent[-1] == {"role": "user", "content": "Which bird exactly?"}

        listed = (await editor.request("flambeau/listHistory", {}))["tasks"]
        assert [t["taskId"] for t in listed][:2] == [answer["taskId"], first[0]]
        assert listed[0]["continues"] == first[0] and listed[0]["verdict"] == "intact"
        chain = await editor.request("flambeau/openHistory", {"taskId": answer["taskId"]})
        assert [s["taskId"] for s in chain["segments"]] == [first[0], answer["taskId"]]
        last = chain["segments"][1]["events"]
        assert [e["text"] for e in last if e["type"] == "user_message"] == ["Which bird exactly?"]

    _in_new_server(workspace, model_server, after_restart)


def test_resuming_a_tampered_trace_is_refused_and_nothing_is_sent(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_first_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        task_id = await _first_task(editor)
        trace = workspace / ".flambeau" / "traces" / f"{task_id}.jsonl"
        trace.write_bytes(trace.read_bytes().replace(b"Reading the notes.", b"Deleting the notes"))
        sent = len(model_server.chat_requests)
        with pytest.raises(JsonRpcInvalidParams, match=f"task {task_id} is not resumed: its trace does not verify"):
            await editor.request("flambeau/resumeTask", {"taskId": task_id, "text": "go on"})
        with pytest.raises(JsonRpcInvalidParams, match="altered or forged"):
            await _command(editor, "flambeau.resumeTask", task_id, "go on")
        listed = (await editor.request("flambeau/listHistory", {}))["tasks"]
        assert [(t["taskId"], t["verdict"]) for t in listed] == [(task_id, "tampered")]
        assert len(model_server.chat_requests) == sent

    run_editor(workspace, model_server, scenario)


def test_delete_is_recorded_in_the_witness_log_and_listed_as_deleted_not_erased(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_first_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        task_id = await _first_task(editor)
        exported = await editor.request("flambeau/exportHistory", {"taskId": task_id})
        trace = workspace / ".flambeau" / "traces" / f"{task_id}.jsonl"
        sealed = len(trace.read_bytes().splitlines()) - 1  # the final checkpoint covers the records before it
        deleted = await editor.request("flambeau/deleteHistory", {"taskId": task_id})
        assert deleted["taskId"] == task_id and deleted["records"] == sealed
        assert not trace.exists() and not Path(exported["path"]).exists()
        assert not (workspace / ".flambeau" / "blobs" / f"{task_id}.pack").exists()
        listed = (await editor.request("flambeau/listHistory", {}))["tasks"]
        assert [(t["taskId"], t["witness"]) for t in listed] == [(task_id, "deleted")]
        assert "deleted by the user" in listed[0]["witnessMessage"]
        assert any(
            b'"deletion"' in line and task_id.encode() in line for line in witness_path().read_bytes().splitlines()
        )
        with pytest.raises(JsonRpcInvalidParams, match="no trace"):
            await editor.request("flambeau/openHistory", {"taskId": task_id})
        with pytest.raises(JsonRpcInvalidParams, match="cannot be resumed"):
            await editor.request("flambeau/resumeTask", {"taskId": task_id, "text": "go on"})

    run_editor(workspace, model_server, scenario)


def test_a_deletion_line_nobody_signed_leaves_the_trace_reported_erased(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    _script_first_task(model_server, workspace)

    async def scenario(editor: Editor) -> None:
        task_id = await _first_task(editor)
        trace = workspace / ".flambeau" / "traces" / f"{task_id}.jsonl"
        witnessed = [json.loads(line) for line in witness_path().read_bytes().splitlines()]
        last = [w for w in witnessed if w.get("trace_id") == task_id][-1]
        forged = {k: last[k] for k in ("trace_id", "workspace", "trace", "tree_size", "root", "key", "time")}
        with witness_path().open("a") as log:
            log.write(json.dumps({"deletion": {**forged, "signature": "00" * 64}}) + "\n")
        trace.unlink()
        listed = (await editor.request("flambeau/listHistory", {}))["tasks"]
        assert [(t["taskId"], t["witness"]) for t in listed] == [(task_id, "erased")]

    run_editor(workspace, model_server, scenario)


def test_the_history_commands_for_other_editors(workspace: Path, model_server: ScriptedModelServer) -> None:
    _script_first_task(model_server, workspace)
    model_server.add(call("attempt_completion", result="Still a plover."))

    async def scenario(editor: Editor) -> None:
        task_id = await _first_task(editor)
        listed = await _command(editor, "flambeau.listHistory")
        assert [t["taskId"] for t in listed["tasks"]] == [task_id]
        opened = await _command(editor, "flambeau.openHistory", task_id)
        assert opened["segments"][0]["events"][0]["task"] == TASK
        markdown = Path((await _command(editor, "flambeau.exportHistory", task_id))["path"]).read_text()
        assert markdown.startswith(f"# {TASK}") and "the secret word is plover" in markdown
        assert "**Result (completed):** The notes name a bird." in markdown
        as_json = json.loads(
            Path((await _command(editor, "flambeau.exportHistory", task_id, "json"))["path"]).read_text()
        )
        assert as_json[0]["taskId"] == task_id and as_json[0]["events"][0]["type"] == "task_started"
        answer = await asyncio.wait_for(
            _command(editor, "flambeau.resumeTask", task_id, "Sure?", {"approvalMode": "auto-all"}), WAIT_S
        )
        assert answer["continues"] == task_id and answer["outcome"] == "completed"
        assert answer["message"] == "Still a plover."
        with pytest.raises(JsonRpcInvalidParams, match=r"arguments are \[taskId, text"):
            await _command(editor, "flambeau.resumeTask", task_id)

    run_editor(workspace, model_server, scenario)


def test_bad_history_params_name_the_field(workspace: Path, model_server: ScriptedModelServer) -> None:
    async def scenario(editor: Editor) -> None:
        with pytest.raises(JsonRpcInvalidParams, match="'taskId'"):
            await editor.request("flambeau/openHistory", {"taskId": "../../etc/passwd"})
        with pytest.raises(JsonRpcInvalidParams, match="'text' is required"):
            await editor.request("flambeau/resumeTask", {"taskId": "20990101T000000Z-nothing"})
        with pytest.raises(JsonRpcInvalidParams, match="'format' must be one of"):
            await editor.request("flambeau/exportHistory", {"taskId": "20990101T000000Z-nothing", "format": "pdf"})
        assert (await editor.request("flambeau/listHistory", {})) == {"tasks": []}

    run_editor(workspace, model_server, scenario)
