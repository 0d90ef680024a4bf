"""The Session API front ends use instead of reaching into a session: switching the model mid-task (its tool
mode applies at once), and costs that are unknown rather than silently zero."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agent.approval import ApproveAll
from agent.errors import ConfigError
from agent.events import Event, ModelChanged, Usage
from agent.models.gateway import ModelGateway
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from agent.session import Limits
from tests.scripted_server import Reply, ScriptedModelServer, call


def _profile(server: ScriptedModelServer, name: str, **fields: object) -> ModelProfile:
    return ModelProfile(name=name, model="openai/scripted", api_base=server.base_url, max_output_tokens=256, **fields)  # type: ignore[arg-type]


def test_a_switch_to_a_text_mode_model_applies_from_the_next_step_and_is_recorded(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("remember the milk\n")
    model_server.add(call("read_file", path="notes.txt"), call("attempt_completion", result="read it"))
    events: list[Event] = []
    spec = TaskSpec(task="read the notes", workspace=workspace, profile=_profile(model_server, "native-one"))
    session = build_session(spec, ApproveAll(), events.append)
    assert asyncio.run(session.run()).outcome == "completed"

    with ScriptedModelServer() as second:
        second.add(Reply(text='<tool_call>{"name": "attempt_completion", "arguments": {"result": "ok"}}</tool_call>'))
        session.use_model(ModelGateway(_profile(second, "text-one", tool_mode="text")))
        session.follow_up("Anything else?")
        assert asyncio.run(session.run()).outcome == "completed"
        body = second.chat_requests[0].body

    assert "tools" not in body, "a text-mode model gets no native tool schemas"
    assert all(m["role"] != "tool" and not m.get("tool_calls") for m in body["messages"])
    restated = [str(m["content"]) for m in body["messages"]]
    assert any('<tool_call>{"name": "read_file"' in text for text in restated)
    assert any(text.startswith("Result of read_file:\n") and "remember the milk" in text for text in restated)
    assert "<tool_call>" in str(body["messages"][0]["content"]), "the system prompt now teaches the text protocol"
    changed = [e for e in events if isinstance(e, ModelChanged)]
    assert [(c.previous_profile, c.profile, c.tool_mode) for c in changed] == [("native-one", "text-one", "text")]


def test_an_unpriced_cloud_model_costs_unknown_not_zero(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(call("attempt_completion", result="done"))
    events: list[Event] = []
    profile = _profile(model_server, "remote", locality="cloud")
    spec = TaskSpec(task="t", workspace=workspace, profile=profile, approval_mode="auto-all", trace=False)
    assert asyncio.run(build_session(spec, ApproveAll(), events.append).run()).outcome == "completed"
    usage = [e for e in events if isinstance(e, Usage)]
    assert [(u.cost_usd, u.total_cost_usd) for u in usage] == [(None, None)]


def test_max_cost_refuses_an_unpriced_cloud_model_before_anything_is_sent(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    profile = _profile(model_server, "remote", locality="cloud")
    spec = TaskSpec(task="t", workspace=workspace, profile=profile, limits=Limits(max_cost_usd=1.0), trace=False)
    with pytest.raises(ConfigError, match="input_cost_per_token and output_cost_per_token"):
        build_session(spec, ApproveAll(), lambda event: None)
    assert model_server.chat_requests == []


def test_a_price_in_the_profile_makes_the_cost_known_and_max_cost_applies(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(call("attempt_completion", result="done"))
    events: list[Event] = []
    profile = _profile(model_server, "remote", locality="cloud", input_cost_per_token=1e-6, output_cost_per_token=2e-6)
    spec = TaskSpec(
        task="t", workspace=workspace, profile=profile, approval_mode="auto-all", limits=Limits(max_cost_usd=1.0)
    )
    assert asyncio.run(build_session(spec, ApproveAll(), events.append).run()).outcome == "completed"
    [usage] = [e for e in events if isinstance(e, Usage)]
    assert usage.cost_usd == pytest.approx(usage.prompt_tokens * 1e-6 + usage.completion_tokens * 2e-6)
    assert usage.total_cost_usd == pytest.approx(usage.cost_usd)
