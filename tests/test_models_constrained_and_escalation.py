"""Constrained tool mode over real HTTP, and escalation from a failing local model to a cloud profile
only with a person's approval, never in local-only mode."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from agent.approval import ApproveAll, Decision
from agent.events import ApprovalRequested
from agent.models.config import ModelsConfig, ProfileEntry, Restrictions
from agent.models.escalation import ask_to_escalate, escalation_target
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from agent.session import Limits
from tests.conftest import run_cli
from tests.scripted_server import Reply, ScriptedModelServer


def as_json(name: str, **arguments: object) -> Reply:
    return Reply(text=json.dumps({"name": name, "arguments": arguments}))


def test_constrained_mode_sends_a_schema_per_tool_and_reads_json_calls(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(
        as_json("run_command", command="echo constrained-ok"),
        Reply(text='{"name": "run_command", "arguments": '),  # cut off: a repair message, then recovery
        as_json("attempt_completion", result="done"),
    )
    result = run_cli(
        "run", "--workspace", str(workspace), "--model", "openai/tiny", "--api-base", model_server.base_url,
        "--tool-mode", "constrained", "--approve", "auto-all", "--json", "Run echo constrained-ok",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    bodies = [r.body for r in model_server.chat_requests]
    assert len(bodies) == 3
    for body in bodies:
        assert "tools" not in body
        variants = body["response_format"]["schema"]["oneOf"]
        assert body["response_format"]["type"] == "json_object"
        names = {v["properties"]["name"]["const"] for v in variants}
        assert {"run_command", "read_file", "attempt_completion"} <= names
        run = next(v for v in variants if v["properties"]["name"]["const"] == "run_command")
        assert "command" in run["properties"]["arguments"]["properties"]
    assert "constrained-ok" in bodies[1]["messages"][-1]["content"]
    assert "not one JSON object" in bodies[2]["messages"][-1]["content"]


class PersonSays:
    def __init__(self, approved: bool) -> None:
        self.approved = approved
        self.asked: list[ApprovalRequested] = []

    async def decide(self, request: ApprovalRequested) -> Decision:
        self.asked.append(request)
        return Decision(approved=self.approved, by="user", reason="asked on the terminal")


def _failing_local_run(server: ScriptedModelServer, workspace: Path) -> tuple[object, object, ModelProfile]:
    server.add(*[Reply(text="I think I should... maybe?") for _ in range(3)])
    profile = ModelProfile(name="small", model="openai/tiny", api_base=server.base_url, tool_mode="text")
    spec = TaskSpec(
        task="fix it", workspace=workspace, profile=profile, approval_mode="auto-all", limits=Limits(max_steps=5)
    )
    session = build_session(spec, ApproveAll(), lambda event: None)
    result = asyncio.run(session.run())
    return session, result, profile


def test_a_failing_local_model_may_offer_escalation_only_with_a_persons_approval(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    session, result, profile = _failing_local_run(model_server, workspace)
    config = ModelsConfig(
        profiles={"work": ProfileEntry(ModelProfile(name="work", model="anthropic/claude-sonnet-4-5"))},
        escalate_to="work",
    )
    assert result.outcome == "failed"  # type: ignore[attr-defined]
    target = escalation_target(result, session, profile, config, Restrictions())  # type: ignore[arg-type]
    assert target == "work"
    work = config.profiles["work"].profile
    seen: list[object] = []
    person = PersonSays(approved=True)
    assert asyncio.run(ask_to_escalate(person, seen.append, "t", profile, work, "unusable calls"))
    asked = person.asked[0]
    assert asked.arguments == {
        "from": "small",
        "to": "work",
        "model": "anthropic/claude-sonnet-4-5",
        "provider": "anthropic",
        "locality": "cloud",
        "api_base": "",
    }
    assert "sent to anthropic" in asked.preview and "the conversation so far" in asked.preview
    assert [type(e).__name__ for e in seen] == ["ApprovalRequested", "ApprovalDecided"]
    assert seen[1].approved and seen[1].by == "user"  # type: ignore[attr-defined]
    assert not asyncio.run(ask_to_escalate(PersonSays(approved=False), seen.append, "t", profile, work, "unusable"))
    assert not asyncio.run(
        ask_to_escalate(ApproveAll(), seen.append, "t", profile, work, "automatic modes do not count")
    )
    assert not seen[-1].approved and "only a person" in seen[-1].reason  # type: ignore[attr-defined]


def test_no_escalation_is_offered_in_local_only_mode(model_server: ScriptedModelServer, workspace: Path) -> None:
    session, result, profile = _failing_local_run(model_server, workspace)
    config = ModelsConfig(escalate_to="work")
    local_only = Restrictions(local_only=True, local_only_source="--local-only")
    assert escalation_target(result, session, profile, config, local_only) is None  # type: ignore[arg-type]
    assert escalation_target(result, session, profile, ModelsConfig(), Restrictions()) is None  # type: ignore[arg-type]
