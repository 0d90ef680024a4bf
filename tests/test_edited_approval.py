"""An edit the user changed before approving is written as the user wrote it; the model is told, and the
trace keeps both the model's proposal and the user's final text."""

from __future__ import annotations

from pathlib import Path

from agent.trace import list_traces, verify
from agent.trace.packs import TraceBlobs
from agent.trace.reading import read_trace
from tests.lsp_harness import Editor
from tests.scripted_server import ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor, tool_messages

EDITED = "hello, world, as the user wrote it\n"


def test_an_edited_proposal_is_written_as_edited_and_recorded_with_the_proposal(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    (workspace / "hello.txt").write_text("hello\n")
    model_server.add(
        call("edit_file", path="hello.txt", edits=[{"search": "hello", "replace": "hello, world"}]),
        call("attempt_completion", result="greeting changed"),
    )

    async def scenario(editor: Editor) -> None:
        editor.approval_answers = [{"decision": "approve", "content": EDITED}]
        task_id = await editor.start_task("Greet the world")
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed", end
        [decided] = [e for e in editor.events_of(task_id, "approval_decided") if e["tool"] == "edit_file"]
        assert decided["approved"] and decided["edited"] and "final_content" not in decided
        [result] = editor.events_of(task_id, "tool_result")[:1]
        assert result["tool"] == "edit_file" and result["ok"]

    run_editor(workspace, model_server, scenario)
    assert (workspace / "hello.txt").read_text() == EDITED
    told = tool_messages(model_server, 1)[-1]
    assert told.startswith("The user edited your proposed change before approving it: hello.txt was written")

    [trace] = list_traces(workspace)
    assert verify(trace.path, replay=True).status == "intact"
    records = [r for r in read_trace(trace.path).records if r is not None]
    proposal = next(r for r in records if r["kind"] == "tool_call" and r["tool"] == "edit_file")
    assert proposal["arguments"]["edits"] == [{"search": "hello", "replace": "hello, world"}]
    approval = next(r for r in records if r["kind"] == "approval" and r["tool"] == "edit_file")
    assert approval["edited"] is True
    assert TraceBlobs(trace.path).get(approval["final_blob"]) == EDITED.encode()


def test_content_sent_with_a_denial_or_for_a_command_is_ignored(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(
        call("write_file", path="a.txt", content="model text\n"),
        call("run_command", command="touch ran.txt"),
        call("attempt_completion", result="done"),
    )

    async def scenario(editor: Editor) -> None:
        editor.approval_answers = [
            {"decision": "deny", "reason": "keep a.txt as it is", "content": "ignored\n"},
            {"decision": "approve", "content": "not a file\n"},
        ]
        task_id = await editor.start_task("Write and run")
        await editor.wait_for_end(task_id)
        decided = editor.events_of(task_id, "approval_decided")
        assert [d["edited"] for d in decided if d["tool"] in ("write_file", "run_command")] == [False, False]

    run_editor(workspace, model_server, scenario)
    assert not (workspace / "a.txt").exists() and (workspace / "ran.txt").exists()
    assert tool_messages(model_server, 1)[-1] == "Not run: keep a.txt as it is"
