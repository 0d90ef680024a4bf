"""Recording real traces for tests: whole sessions in this process, over HTTP to the scripted model."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agent.approval import ApproveAll
from agent.models.resolve import resolve_profile
from agent.runner import TaskSpec, build_session
from agent.trace import list_traces
from tests.scripted_server import Reply, ScriptedModelServer, call


def editing_script(content: str = "shouted: HELLO\n") -> list[Reply]:
    """List, read, write a new file, overwrite a tracked one, run a command, complete."""
    return [
        Reply(text="Let me look around.", tool_calls=[("list_files", {"path": "."})]),
        call("read_file", path="notes.txt"),
        call("write_file", path="out/result.txt", content=content),
        call("write_file", path="notes.txt", content="hello\nand more\n"),
        call("run_command", command="cat out/result.txt && echo ran-ok"),
        call("attempt_completion", result="Wrote out/result.txt."),
    ]


def short_script(index: int) -> list[Reply]:
    return [
        call("write_file", path=f"f{index}.txt", content=f"file {index}\n"),
        call("attempt_completion", result=f"wrote f{index}.txt"),
    ]


def record_session(
    server: ScriptedModelServer, workspace: Path, script: list[Reply], task: str = "Shout the notes"
) -> Path:
    """Run one whole session (auto-approve) and return the path of the trace it wrote."""
    server.add(*script)
    profile = resolve_profile("openai/scripted", api_base=server.base_url)
    spec = TaskSpec(task=task, workspace=workspace, profile=profile, approval_mode="auto-all")
    session = build_session(spec, ApproveAll(), lambda event: None)
    asyncio.run(session.run())
    return next(t.path for t in list_traces(workspace) if t.task_id == session.task_id)
