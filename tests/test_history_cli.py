"""`flambeau run --resume`: a past task continues from the conversation its trace holds, in a new trace."""

from __future__ import annotations

import json
from pathlib import Path

from agent.history.conversation import rebuild_conversation
from agent.trace import list_traces, read_trace, verify
from tests.conftest import run_cli, run_scripted_cli
from tests.scripted_server import Reply, ScriptedModelServer, call


def _first_task(model_server: ScriptedModelServer, workspace: Path) -> str:
    (workspace / "notes.txt").write_text("the secret word is plover\n")
    model_server.add(
        Reply(text="Reading the notes.", tool_calls=[("read_file", {"path": "notes.txt"})]),
        call("attempt_completion", result="The notes name a bird."),
    )
    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--json", "What do the notes say?")
    assert result.code == 0, result.stderr
    return str(result.events()[0]["task_id"])


def test_resume_sends_the_rebuilt_conversation_and_names_the_trace_it_continues(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    first = _first_task(model_server, workspace)
    model_server.add(call("attempt_completion", result="The word was plover."))
    result = run_scripted_cli(
        model_server, workspace, "--approve", "auto-all", "--json", "--resume", first, "Which bird exactly?"
    )
    assert result.code == 0, result.stderr

    resumed = model_server.chat_requests[2].body["messages"]
    contents = [json.dumps(m.get("content")) for m in resumed]
    assert resumed[0]["role"] == "system"
    assert resumed[1] == {"role": "user", "content": "What do the notes say?"}
    assert resumed[2]["role"] == "assistant" and resumed[2]["tool_calls"][0]["function"]["name"] == "read_file"
    assert resumed[3] == {
        "role": "tool",
        "tool_call_id": resumed[2]["tool_calls"][0]["id"],
        "content": "the secret word is plover\n",
    }
    assert resumed[4]["tool_calls"][0]["function"]["name"] == "attempt_completion"
    assert "The notes name a bird." in contents[5]
    assert resumed[-1] == {"role": "user", "content": "Which bird exactly?"}
    # The first task's last request is a prefix of what the resumed task sent (past the system prompt).
    assert model_server.chat_requests[1].body["messages"][1:] == resumed[1:4]

    second = str(result.events()[0]["task_id"])
    assert second != first
    traces = {t.task_id: t for t in list_traces(workspace)}
    assert traces[second].continues == first and traces[second].task == "What do the notes say?"
    header = read_trace(traces[second].path).header
    first_trace = read_trace(traces[first].path)
    assert header["continues"]["task_id"] == first
    assert header["continues"]["tree_size"] == len(first_trace.lines)
    assert verify(traces[second].path).status == "intact"
    assert verify(traces[first].path).status == "intact"


def test_rebuild_up_to_a_step_stops_before_the_next_reply(model_server: ScriptedModelServer, workspace: Path) -> None:
    first = _first_task(model_server, workspace)
    path = next(t.path for t in list_traces(workspace) if t.task_id == first)
    whole = rebuild_conversation(path)
    at_one = rebuild_conversation(path, up_to_step=1)
    assert len(whole.turns) == 2 and whole.step == 2
    assert len(at_one.turns) == 1 and at_one.step == 1
    assert at_one.turns[0][1]["content"] == "the secret word is plover\n"
    assert model_server.chat_requests[1].body["messages"][1:] == at_one.messages()
    assert rebuild_conversation(path, up_to_step=0).turns == []


def test_resume_refuses_a_trace_that_does_not_verify(model_server: ScriptedModelServer, workspace: Path) -> None:
    first = _first_task(model_server, workspace)
    path = next(t.path for t in list_traces(workspace) if t.task_id == first)
    original = path.read_bytes()
    path.write_bytes(original.replace(b"Reading the notes.", b"Deleting the notes"))

    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--resume", first, "Go on")

    assert result.code == 2
    assert f"task {first} is not resumed: its trace does not verify" in result.stderr
    assert "altered or forged" in result.stderr and f"flambeau trace verify {first}" in result.stderr
    assert len(model_server.chat_requests) == 2, "nothing of the forged conversation reached the model"
    assert [t.task_id for t in list_traces(workspace)] == [first], "no new trace was started"
    assert path.read_bytes() == original.replace(b"Reading the notes.", b"Deleting the notes")


def test_resume_of_an_unknown_task_names_the_listing(model_server: ScriptedModelServer, workspace: Path) -> None:
    result = run_scripted_cli(model_server, workspace, "--resume", "20990101T000000Z-nothing", "Go on")
    assert result.code == 2
    assert "cannot be resumed" in result.stderr and "flambeau trace list" in result.stderr
    assert model_server.chat_requests == []


def test_trace_delete_lists_the_task_as_deleted_by_the_user(model_server: ScriptedModelServer, workspace: Path) -> None:
    first = _first_task(model_server, workspace)
    deleted = run_cli("trace", "delete", first, "--workspace", str(workspace))
    assert deleted.code == 0, deleted.stderr
    assert f"deleted {first}" in deleted.stdout
    listed = run_cli("trace", "list", "--workspace", str(workspace))
    assert f"{first}  DELETED" in listed.stdout and "deleted by the user" in listed.stdout
    gone = run_cli("trace", "verify", str(workspace / ".flambeau" / "traces" / f"{first}.jsonl"))
    assert gone.code == 2 and "was deleted by the user" in gone.stderr
