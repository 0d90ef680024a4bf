"""Plan mode is enforced where tools execute: no write, command or commit runs, whatever approves it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent.approval import ApproveAll
from agent.events import Event, ToolResultEvent
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from tests.conftest import run_scripted_cli
from tests.scripted_server import ScriptedModelServer, call
from tools.base import Category
from tools.policy.evaluate import Verdict


def test_a_plan_mode_session_refuses_a_write_even_with_auto_all(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    model_server.add(
        call("read_file", path="notes.txt"),
        call("write_file", path="plan.txt", content="written anyway\n"),
        call("run_command", command="touch ran.txt"),
        call("attempt_completion", result="planned"),
    )
    result = run_scripted_cli(
        model_server,
        workspace,
        "--approve",
        "auto-all",
        "--plan",
        "--json",
        "Plan the change",
    )
    assert result.code == 0, result.stderr
    assert not (workspace / "plan.txt").exists() and not (workspace / "ran.txt").exists()
    decisions = {e["tool"]: e for e in result.events() if e["type"] == "approval_decided"}
    assert decisions["read_file"]["approved"] is True
    for tool in ("write_file", "run_command"):
        assert decisions[tool]["approved"] is False and "plan mode" in decisions[tool]["reason"]
    fed_back = model_server.chat_requests[2].body["messages"][-1]["content"]
    assert "plan mode" in fed_back


def test_plan_mode_is_checked_again_when_the_tool_runs(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(call("write_file", path="x.txt", content="x\n"), call("attempt_completion", result="done"))
    events: list[Event] = []
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base=model_server.base_url)
    spec = TaskSpec(task="t", workspace=workspace, profile=profile, approval_mode="auto-all", plan_mode=True)
    session = build_session(spec, ApproveAll(), events.append)

    def allow_everything(tool: str, category: Category, arguments: dict[str, Any]) -> Verdict:
        """Stands for a rule that wrongly allows the call: execution must still refuse it."""
        return Verdict("allow", "a careless rule")

    session.policy.evaluate = allow_everything  # type: ignore[method-assign]
    asyncio.run(session.run())
    result = next(e for e in events if isinstance(e, ToolResultEvent) and e.tool == "write_file")
    assert not result.ok and "plan mode" in result.output
    assert not (workspace / "x.txt").exists()
