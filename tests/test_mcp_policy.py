"""MCP calls under the policy: their own category, asking in `ask` and `auto-edit`; allow rules per
server or per tool in the user's policy.toml run them without asking; deny rules deny (in either file);
a workspace cannot allow itself a tool; the model cannot lower caution. At the rule level, and through
real tasks: a scripted model over HTTP calling mcp-server-time, started by the test."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from agent.approval import Decision
from agent.events import ApprovalDecided, ApprovalRequested, Event, ToolResultEvent
from agent.mcp import McpManager
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from tests.mcp_config import write_user_policy, write_user_servers
from tests.mcp_servers import time_stdio
from tests.scripted_server import ScriptedModelServer, call
from tools.base import Category
from tools.policy.config import load_policy

GET = "mcp__time__get_current_time"
CONVERT = "mcp__time__convert_time"


def _workspace_policy(workspace: Path, text: str) -> None:
    (workspace / ".flambeau").mkdir(exist_ok=True)
    (workspace / ".flambeau" / "policy.toml").write_text(text)


def _verdict(mode: str, workspace: Path, tool: str = GET, arguments: dict[str, object] | None = None) -> str:
    return load_policy(mode, workspace).evaluate(tool, Category.MCP, arguments or {}).action


@pytest.mark.parametrize(("mode", "expected"), [("ask", "ask"), ("auto-edit", "ask"), ("auto-all", "allow")])
def test_mcp_calls_ask_in_ask_and_auto_edit(workspace: Path, mode: str, expected: str) -> None:
    assert _verdict(mode, workspace) == expected


def test_allow_rules_per_server_or_per_tool_in_the_users_file(workspace: Path) -> None:
    write_user_policy('[mcp]\nallow = ["time"]\n')
    assert _verdict("ask", workspace, GET) == "allow" and _verdict("auto-edit", workspace, CONVERT) == "allow"
    assert _verdict("ask", workspace, "mcp__other__get_current_time") == "ask", "a rule names its server"

    write_user_policy('[mcp]\nallow = ["time/get_current_time"]\n')
    assert _verdict("ask", workspace, GET) == "allow"
    assert _verdict("ask", workspace, CONVERT) == "ask", "a tool rule allows that tool only"
    reader = load_policy("ask", workspace).evaluate("mcp_read_resource", Category.MCP, {"server": "time", "uri": "x"})
    assert reader.action == "ask", "reading a resource is the server's tool read_resource, not allowed by that rule"


def test_deny_rules_deny_even_in_auto_all_and_win_over_allow(workspace: Path) -> None:
    write_user_policy('[mcp]\nallow = ["time"]\ndeny = ["time/convert_time"]\n')
    assert _verdict("auto-all", workspace, CONVERT) == "deny"
    assert _verdict("auto-all", workspace, GET) == "allow"
    write_user_policy('[mcp]\nallow = ["time"]\n')
    _workspace_policy(workspace, '[mcp]\ndeny = ["time"]\n')
    assert _verdict("auto-all", workspace, GET) == "deny", "a workspace's deny rule holds too"
    write_user_policy('[modes]\nmcp = "deny"\n')
    _workspace_policy(workspace, "")
    assert _verdict("auto-all", workspace, GET) == "deny", "the category's mode in policy.toml"


def test_a_workspace_cannot_allow_itself_a_tool_nor_loosen_the_mode(workspace: Path) -> None:
    _workspace_policy(workspace, '[modes]\nmcp = "allow"\n[mcp]\nallow = ["time"]\n')
    assert _verdict("ask", workspace) == "ask"
    assert _verdict("auto-edit", workspace) == "ask"
    _workspace_policy(workspace, '[mcp]\nask = ["time/get_current_time"]\n')
    assert _verdict("auto-all", workspace) == "ask", "a workspace may tighten"


def test_the_model_cannot_lower_caution(workspace: Path) -> None:
    write_user_policy('[mcp]\ndeny = ["time"]\n')
    # Arguments naming another server, or saying no approval is needed, change nothing: the tool's name decides.
    assert _verdict("auto-all", workspace, GET, {"server": "other", "requires_approval": False}) == "deny"
    write_user_policy("")
    assert _verdict("ask", workspace, GET, {"requires_approval": False}) == "ask"
    assert _verdict("auto-all", workspace, GET, {"requires_approval": True}) == "ask", "it can add caution"


class Recorder:
    """Approves every request it is asked, and remembers them."""

    def __init__(self) -> None:
        self.asked: list[ApprovalRequested] = []

    async def decide(self, request: ApprovalRequested) -> Decision:
        self.asked.append(request)
        return Decision(approved=True, by="user", reason="approved by the test")


def _task(model_server: ScriptedModelServer, workspace: Path, mode: str, approver: Recorder) -> tuple[list[Event], str]:
    write_user_servers({"time": time_stdio()})
    model_server.add(call(GET, timezone="Europe/Paris"), call("attempt_completion", result="done"))
    events: list[Event] = []
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base=model_server.base_url)

    async def scenario() -> str:
        async with McpManager(workspace) as mcp:
            await mcp.start()
            spec = TaskSpec(task="what time is it in Paris?", workspace=workspace, profile=profile, approval_mode=mode)
            return (await build_session(spec, approver, events.append, mcp=mcp).run()).outcome

    return events, asyncio.run(scenario())


def _the(kind: type[Event], events: list[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, kind) and getattr(e, "tool", "") == GET]


@pytest.mark.parametrize("mode", ["ask", "auto-edit"])
def test_a_task_asks_before_calling_a_server_tool(
    model_server: ScriptedModelServer, workspace: Path, mode: str
) -> None:
    approver = Recorder()
    events, outcome = _task(model_server, workspace, mode, approver)
    assert outcome == "completed"
    [request] = approver.asked
    assert request.tool == GET and request.category == "mcp" and "mcp tools: ask" in request.reason
    assert "MCP server 'time'" in request.preview and "serverInfo mcp-time" in request.preview
    [result] = _the(ToolResultEvent, events)
    assert result.ok and json.loads(result.output)["timezone"] == "Europe/Paris"  # type: ignore[attr-defined]


def test_a_users_allow_rule_runs_the_tool_without_asking(model_server: ScriptedModelServer, workspace: Path) -> None:
    write_user_policy('[mcp]\nallow = ["time/get_current_time"]\n')
    approver = Recorder()
    events, outcome = _task(model_server, workspace, "ask", approver)
    assert outcome == "completed" and approver.asked == []
    [decided] = _the(ApprovalDecided, events)
    assert decided.approved and decided.by == "rule" and "time/get_current_time" in decided.reason  # type: ignore[attr-defined]
    [result] = _the(ToolResultEvent, events)
    assert result.ok  # type: ignore[attr-defined]
    sent = model_server.chat_requests[1].body["messages"]
    assert any(m["role"] == "tool" and "Europe/Paris" in m["content"] for m in sent)


def test_a_deny_rule_refuses_the_call_even_in_auto_all(model_server: ScriptedModelServer, workspace: Path) -> None:
    write_user_policy('[mcp]\nallow = ["time"]\n')
    _workspace_policy(workspace, '[mcp]\ndeny = ["time/get_current_time"]\n')
    approver = Recorder()
    events, outcome = _task(model_server, workspace, "auto-all", approver)
    assert outcome == "completed" and approver.asked == []
    [decided] = _the(ApprovalDecided, events)
    assert not decided.approved and "deny `time/get_current_time`" in decided.reason  # type: ignore[attr-defined]
    sent = model_server.chat_requests[1].body["messages"]
    tool_reply = next(m["content"] for m in sent if m["role"] == "tool")
    assert "refused by policy" in tool_reply and "Europe/Paris" not in tool_reply, "the server was never called"


def test_a_workspace_allow_rule_still_asks(model_server: ScriptedModelServer, workspace: Path) -> None:
    _workspace_policy(workspace, '[modes]\nmcp = "allow"\n[mcp]\nallow = ["time"]\n')
    approver = Recorder()
    _, outcome = _task(model_server, workspace, "auto-edit", approver)
    assert outcome == "completed" and [r.tool for r in approver.asked] == [GET]
