"""edit_file inside a real session: the model (scripted, over HTTP through litellm) reads, edits, hears back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent.approval import ApproveAll
from agent.events import Event, ToolResultEvent
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from tests.scripted_server import Reply, ScriptedModelServer, call


def _run(server: ScriptedModelServer, workspace: Path) -> list[Event]:
    events: list[Event] = []
    profile = ModelProfile(name="s", model="openai/scripted", api_base=server.base_url, context_window=32_000)
    spec = TaskSpec(task="rename the greeting", workspace=workspace, profile=profile, approval_mode="auto-all")
    asyncio.run(build_session(spec, ApproveAll(), events.append).run())
    return events


def _tool_results(server: ScriptedModelServer) -> list[str]:
    last = server.chat_requests[-1].body["messages"]
    return [m["content"] for m in last if m["role"] == "tool"]


def test_read_then_edit_changes_the_file_and_reports_the_diff(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "app.py").write_bytes(b"def greet():\r\n    return 'hello'\r\n")
    model_server.add(
        call("read_file", path="app.py"),
        call("edit_file", path="app.py", edits=[{"search": "    return 'hello'\n", "replace": "    return 'hi'\n"}]),
        call("attempt_completion", result="done"),
    )
    events = _run(model_server, workspace)
    assert (workspace / "app.py").read_bytes() == b"def greet():\r\n    return 'hi'\r\n"
    edit = next(e for e in events if isinstance(e, ToolResultEvent) and e.tool == "edit_file")
    assert edit.ok
    [change] = edit.file_changes
    assert "-    return 'hello'" in change.diff and "+    return 'hi'" in change.diff
    assert _tool_results(model_server)[1].startswith("edited app.py (block 1: exact)")


def test_a_file_changed_behind_the_agents_back_is_refused_then_redone(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    target = workspace / "app.py"
    target.write_text("def greet():\n    return 'hello'\n")

    def user_edits_then_model_edits(body: dict[str, Any]) -> Reply:
        target.write_text("def greet():\n    return 'hello, world'\n")
        return call("edit_file", path="app.py", edits=[{"search": "'hello'", "replace": "'hi'"}])

    model_server.add(
        call("read_file", path="app.py"),
        user_edits_then_model_edits,
        call("edit_file", path="app.py", edits=[{"search": "'hello, world'", "replace": "'hi, world'"}]),
        call("attempt_completion", result="done"),
    )
    events = _run(model_server, workspace)
    results = [e for e in events if isinstance(e, ToolResultEvent) and e.tool == "edit_file"]
    assert [r.ok for r in results] == [False, True]
    assert "changed since you last read it" in results[0].output
    assert "\n```\ndef greet():\n    return 'hello, world'\n```\n" in results[0].output
    assert target.read_text() == "def greet():\n    return 'hi, world'\n"
