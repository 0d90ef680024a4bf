"""The agent loop in-process, against the scripted model server over real HTTP through litellm."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from agent.approval import ApproveAll
from agent.context import litellm_token_counter
from agent.events import Event, TaskFinished, TaskStarted, ToolResultEvent
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from agent.session import Limits, SessionResult
from prompts import render_system_prompt
from tests.processes import live_group_members, wait_until
from tests.scripted_server import Reply, ScriptedModelServer, call
from tools.registry import default_tools


def _run(
    server: ScriptedModelServer,
    workspace: Path,
    *,
    window: int | None = None,
    limits: Limits | None = None,
    task: str = "do the task",
) -> tuple[SessionResult, list[Event]]:
    events: list[Event] = []
    profile = ModelProfile(
        name="scripted", model="openai/scripted", api_base=server.base_url, context_window=window, max_output_tokens=512
    )
    spec = TaskSpec(
        task=task, workspace=workspace, profile=profile, approval_mode="auto-all", limits=limits or Limits()
    )
    session = build_session(spec, ApproveAll(), events.append)
    return asyncio.run(session.run()), events


def _request_tokens(body: dict[str, Any]) -> int:
    count = litellm_token_counter("openai/scripted")
    total = sum(
        count(str(m.get("content") or "")) + count(json.dumps(m.get("tool_calls") or [])) for m in body["messages"]
    )
    return total + count(json.dumps(body.get("tools") or []))


def test_five_megabytes_of_tool_output_never_overflow_the_window(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    window = 8192
    model_server.add(
        call("run_command", command="head -c 5000001 /dev/zero | tr '\\0' y"),
        call("run_command", command="head -c 5000001 /dev/zero | tr '\\0' z"),
        call("attempt_completion", result="done"),
    )
    result, events = _run(model_server, workspace, window=window)
    assert result.outcome == "completed", result.message
    outputs = [e for e in events if isinstance(e, ToolResultEvent) and e.tool == "run_command"]
    assert all(e.data["output_bytes"] > 5_000_000 for e in outputs)
    bodies = [r.body for r in model_server.chat_requests]
    assert len(bodies) == 3
    for body in bodies:
        assert _request_tokens(body) + body["max_tokens"] <= window
    fed_back = bodies[1]["messages"][-1]["content"]
    assert "characters cut from the middle" in fed_back or "bytes cut from the middle" in fed_back
    assert fed_back.startswith("y") and "[exit code 0" in fed_back


def test_rules_files_are_loaded_capped_and_named(model_server: ScriptedModelServer, workspace: Path) -> None:
    (workspace / "AGENTS.md").write_text("Use tabs.\n")
    (workspace / ".clinerules").mkdir()
    (workspace / ".clinerules" / "01-style.md").write_text("Prefer small functions.\n")
    (workspace / ".cursorrules").write_text("x" * 50_000)
    model_server.add(call("attempt_completion", result="ok"))
    _, events = _run(model_server, workspace)
    started = next(e for e in events if isinstance(e, TaskStarted))
    assert started.rules == ["AGENTS.md", ".clinerules/01-style.md", ".cursorrules"]
    system = model_server.chat_requests[0].body["messages"][0]["content"]
    assert "Use tabs." in system and "Prefer small functions." in system
    assert "rules cut at" in system and len(system) < 12_000


def test_compact_prompt_with_tool_schemas_fits_in_2000_tokens() -> None:
    schemas = default_tools().openai_schemas()
    count = litellm_token_counter("openai/gpt-4o")
    compact = render_system_prompt(compact=True, workspace="/home/user/project", rules="")
    assert count(compact) + count(json.dumps(schemas)) < 2000
    as_text = render_system_prompt(compact=True, workspace="/home/user/project", rules="", text_protocol_tools=schemas)
    assert count(as_text) < 2000


def test_small_window_selects_the_compact_prompt(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(call("attempt_completion", result="ok"))
    _, events = _run(model_server, workspace, window=4096)
    assert next(e for e in events if isinstance(e, TaskStarted)).prompt == "compact"


def test_token_budget_stops_the_task(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(*[Reply(tool_calls=[("list_files", {})], prompt_tokens=600) for _ in range(5)])
    result, events = _run(model_server, workspace, limits=Limits(max_tokens=1000))
    assert result.outcome == "limit"
    assert "tokens" in result.message
    assert len(model_server.chat_requests) == 2
    assert isinstance(events[-1], TaskFinished) and events[-1].outcome == "limit"


def test_cancellation_kills_the_running_command_and_ends_the_task_cancelled(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    marker = workspace / "started"
    model_server.add(call("run_command", command=f"echo $$ > {marker} && sleep 60 && touch {workspace / 'finished'}"))
    events: list[Event] = []
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base=model_server.base_url)
    spec = TaskSpec(task="t", workspace=workspace, profile=profile, approval_mode="auto-all")
    session = build_session(spec, ApproveAll(), events.append)

    async def scenario() -> None:
        task = asyncio.ensure_future(session.run())
        while not (marker.exists() and marker.read_text().strip()):
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert isinstance(events[-1], TaskFinished) and events[-1].outcome == "cancelled"
    assert not (workspace / "finished").exists()
    pg = int(marker.read_text())
    ok = wait_until(lambda: not live_group_members(pg), timeout=10)
    assert ok, [Path(f"/proc/{p}/cmdline").read_bytes() for p in live_group_members(pg)]


def test_follow_up_message_joins_the_conversation(model_server: ScriptedModelServer, workspace: Path) -> None:
    gate = threading.Event()
    model_server.add(Reply(tool_calls=[("list_files", {})], wait_for=gate), call("attempt_completion", result="ok"))
    events: list[Event] = []
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base=model_server.base_url)
    session = build_session(
        TaskSpec(task="t", workspace=workspace, profile=profile, approval_mode="auto-all"), ApproveAll(), events.append
    )

    async def scenario() -> SessionResult:
        task = asyncio.ensure_future(session.run())
        await asyncio.to_thread(model_server.wait_for_requests, 1)
        session.follow_up("also mind the README")
        gate.set()
        return await task

    assert asyncio.run(scenario()).outcome == "completed"
    second = model_server.chat_requests[1].body["messages"]
    assert any(m["role"] == "user" and m["content"] == "also mind the README" for m in second)


def test_litellm_is_not_imported_by_the_agent_package() -> None:
    import subprocess
    import sys

    code = (
        "import sys, agent.session, agent.runner, agent.models.gateway, agent.context, tools.registry;"
        "print('litellm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_litellm_through_the_gateway_opens_no_connection() -> None:
    import subprocess
    import sys

    code = (
        "import socket\n"
        "attempts = []\n"
        "def refuse(*args, **kwargs):\n"
        "    attempts.append(args[:2])\n"
        "    raise OSError('network use at import')\n"
        "socket.getaddrinfo = refuse\n"
        "socket.socket.connect = lambda self, address: refuse(address)\n"
        "from agent.models.gateway import import_litellm\n"
        "import_litellm()\n"
        "print(len(attempts))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip().splitlines()[-1] == "0"
