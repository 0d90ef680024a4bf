"""Condensation: a long task against a small window is condensed by the `summarise` role running on a second
scripted server (real HTTP through litellm); the summary stands in the main model's later requests and the
turns it replaced do not; the trace records it, verifies, and a resumed task sends the summary. When no
summary can be had, the turns a request must leave out are recorded and told, never dropped silently."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.approval import ApproveAll
from agent.events import (
    CondenseFailed,
    ContextCondensed,
    ContextTrimmed,
    ContextUsage,
    Event,
    ModelRequest,
    Usage,
)
from agent.history.conversation import rebuild_conversation
from agent.history.resume import prepare_resume
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from agent.session import SessionResult
from agent.trace import find_trace, read_trace, verify
from tests.scripted_server import Reply, ScriptedModelServer, call
from tests.test_agent_core import _request_tokens as request_tokens

WINDOW = 4096
SUMMARY_SYSTEM = "You condense the earlier part of a coding agent's conversation"


@pytest.fixture
def summariser() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


def write_roles(summarise_base: str, *, role: str = "summarise", name: str = "summ") -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models.toml").write_text(
        f'[roles]\n{role} = "{name}"\n\n[profiles.{name}]\nmodel = "openai/{name}"\napi_base = "{summarise_base}"\n'
    )


def numbered_summaries(server: ScriptedModelServer, count: int) -> None:
    server.add(
        *[Reply(text=f"SUMMARY-{n}: big.txt was read and holds only filler lines.") for n in range(1, count + 1)]
    )


def run_long_task(
    main: ScriptedModelServer, workspace: Path, reads: int, window: int = WINDOW
) -> tuple[SessionResult, list[Event], str]:
    (workspace / "AGENTS.md").write_text("Always answer in haiku.\n")
    (workspace / "big.txt").write_text("line of filler text\n" * 400)
    main.add(*[call("read_file", path="big.txt") for _ in range(reads)], call("attempt_completion", result="ok"))
    events: list[Event] = []
    profile = ModelProfile(
        name="main", model="openai/scripted", api_base=main.base_url, context_window=window, max_output_tokens=512
    )
    spec = TaskSpec(task="the one task", workspace=workspace, profile=profile, approval_mode="auto-all")
    session = build_session(spec, ApproveAll(), events.append)
    return asyncio.run(session.run()), events, session.task_id


def call_ids(body: dict[str, Any]) -> list[str]:
    return [c["id"] for m in body["messages"] for c in m.get("tool_calls") or []]


def text_of(body: dict[str, Any]) -> str:
    return json.dumps(body["messages"])


def test_a_long_task_is_condensed_by_the_summarise_role_on_its_own_server(
    model_server: ScriptedModelServer, summariser: ScriptedModelServer, workspace: Path
) -> None:
    write_roles(summariser.base_url)
    numbered_summaries(summariser, 6)
    result, events, task_id = run_long_task(model_server, workspace, reads=10)
    assert result.outcome == "completed", result.message

    condensed = [e for e in events if isinstance(e, ContextCondensed)]
    assert len(condensed) >= 2, [type(e).__name__ for e in events]
    assert not [e for e in events if isinstance(e, ContextTrimmed | CondenseFailed)]
    assert all(e.profile == "summ" and e.model == "openai/summ" and e.trigger == "auto" for e in condensed)
    assert condensed[0].first_turn == 1 and condensed[1].first_turn == condensed[0].last_turn + 1
    assert all(e.tokens_after < e.tokens_before for e in condensed)

    # The summaries came from the summarise server: one request per condensation, with its prompt and the turns.
    summarise_bodies = [r.body for r in summariser.chat_requests]
    assert len(summarise_bodies) == len(condensed)
    for body, event in zip(summarise_bodies, condensed, strict=True):
        assert body["model"] == "summ" and SUMMARY_SYSTEM in body["messages"][0]["content"]
        assert f"turns {event.first_turn}-{event.last_turn}" in body["messages"][1]["content"]
        assert "line of filler text" in body["messages"][1]["content"]
    assert "SUMMARY-1" in summarise_bodies[1]["messages"][1]["content"]  # the second folds in the first
    assert [e.summary.split(":")[0] for e in condensed] == [f"SUMMARY-{n}" for n in range(1, len(condensed) + 1)]

    # ... and stood in the main model's later requests, in place of the turns they replaced.
    main_bodies = [r.body for r in model_server.chat_requests]
    assert all(SUMMARY_SYSTEM not in text_of(b) for b in main_bodies)
    seen: list[str] = []
    for body in main_bodies:
        seen += [i for i in call_ids(body) if i not in seen]
    bounds = [*_request_index_after(events, condensed), len(main_bodies)]
    for index, event in enumerate(condensed):
        label = event.summary.split(":")[0]
        for body in main_bodies[bounds[index] : bounds[index + 1]]:
            assert body["messages"][2]["content"].startswith(f"[Summary of turns 1-{event.last_turn} ")
            assert label in body["messages"][2]["content"]
        for body in main_bodies[bounds[index] :]:
            assert not set(seen[: event.last_turn]) & set(call_ids(body)), "a replaced turn was sent again"
    for body in main_bodies:
        assert "trimmed to fit" not in text_of(body)
        assert body["messages"][0]["role"] == "system" and "Always answer in haiku." in body["messages"][0]["content"]
        assert body["messages"][1] == {"role": "user", "content": "the one task"}

    # Each main call is followed by how full the window is; a summarise call is counted as such.
    usages = [e for e in events if isinstance(e, ContextUsage)]
    assert len(usages) == len(main_bodies)
    assert all(u.window == WINDOW and u.counted_by == "provider" for u in usages)
    assert all(sum(vars(u.parts).values()) == u.used_tokens for u in usages)
    assert all(u.parts.system > 0 and u.parts.tool_schemas > 0 for u in usages)
    assert any(u.parts.summary > 0 and u.condensed_turns > 0 for u in usages)
    assert [e.role for e in events if isinstance(e, Usage)].count("summarise") == len(condensed)
    assert [e.role for e in events if isinstance(e, ModelRequest)].count("summarise") == len(condensed)

    # The trace holds each condensation as its own record, and verifies.
    trace = find_trace(workspace, task_id)
    records = [r for r in read_trace(trace).valid_records()]
    kept = [r for r in records if r.get("kind") == "condensation"]
    assert [(r["first_turn"], r["last_turn"], r["summary"]) for r in kept] == [
        (e.first_turn, e.last_turn, e.summary) for e in condensed
    ]
    assert all(r["tokens_before"] > r["tokens_after"] > 0 for r in kept)
    assert [r.get("role") for r in records if r.get("kind") == "model_request"].count("summarise") == len(condensed)
    assert verify(trace).status == "intact"

    # Rebuilt from the trace, the conversation starts from the last summary, not from the dropped turns.
    rebuilt = rebuild_conversation(trace)
    assert rebuilt.summary is not None and condensed[-1].summary in rebuilt.summary["content"]
    assert rebuilt.first_turn == condensed[-1].last_turn + 1
    assert not set(seen[: condensed[-1].last_turn]) & {
        c["id"] for m in rebuilt.messages() for c in m.get("tool_calls") or []
    }


def _request_index_after(events: list[Event], condensed: list[ContextCondensed]) -> list[int]:
    """For each condensation, the index (among the main model's requests) of the first request after it."""
    indexes, count = [], 0
    pending = list(condensed)
    for event in events:
        if pending and event is pending[0]:
            indexes.append(count)
            pending.pop(0)
        elif isinstance(event, ModelRequest) and event.role == "main":
            count += 1
    return indexes


def test_a_resumed_task_sends_the_summary_and_not_the_turns_it_replaced(
    model_server: ScriptedModelServer, summariser: ScriptedModelServer, workspace: Path
) -> None:
    write_roles(summariser.base_url)
    numbered_summaries(summariser, 6)
    result, events, task_id = run_long_task(model_server, workspace, reads=6)
    assert result.outcome == "completed", result.message
    condensed = [e for e in events if isinstance(e, ContextCondensed)]
    assert condensed
    first_ids = []
    for request in model_server.chat_requests:
        first_ids += [i for i in call_ids(request.body) if i not in first_ids]

    resume = prepare_resume(workspace, task_id)
    model_server.add(call("attempt_completion", result="still ok"))
    profile = ModelProfile(name="main", model="openai/scripted", api_base=model_server.base_url, context_window=WINDOW)
    spec = TaskSpec(
        task=resume.conversation.task, workspace=workspace, profile=profile, approval_mode="auto-all", resume=resume
    )
    session = build_session(spec, ApproveAll(), lambda event: None)
    session.follow_up("and one more thing")
    assert asyncio.run(session.run()).outcome == "completed"
    sent = model_server.chat_requests[-1].body
    assert sent["messages"][2]["content"].startswith(f"[Summary of turns 1-{condensed[-1].last_turn} ")
    assert condensed[-1].summary in sent["messages"][2]["content"]
    assert not set(first_ids[: condensed[-1].last_turn]) & set(call_ids(sent))
    assert sent["messages"][-1] == {"role": "user", "content": "and one more thing"}


def test_when_the_summarise_model_is_down_the_trimmed_turns_are_recorded_and_told(
    model_server: ScriptedModelServer, summariser: ScriptedModelServer, workspace: Path
) -> None:
    write_roles(summariser.base_url)
    summariser.add(*[Reply(status=400, error_message="summariser down") for _ in range(10)])
    result, events, task_id = run_long_task(model_server, workspace, reads=8)
    assert result.outcome == "completed", result.message
    failed = [e for e in events if isinstance(e, CondenseFailed)]
    assert failed and all("summariser down" in e.error and e.profile == "summ" for e in failed)
    trimmed = [e for e in events if isinstance(e, ContextTrimmed)]
    assert trimmed and trimmed[0].first_turn == 1 and trimmed[0].turns_dropped >= 1
    assert "summariser down" in trimmed[0].reason and trimmed[0].tokens_after < trimmed[0].tokens_before
    last = model_server.chat_requests[-1].body["messages"]
    assert "earlier turn(s) were trimmed" in last[2]["content"]
    for request in model_server.chat_requests:  # what is sent still fits the window
        assert request_tokens(request.body) + request.body["max_tokens"] <= WINDOW
    assert not any(isinstance(e, ContextCondensed) for e in events)
    records = read_trace(find_trace(workspace, task_id)).valid_records()
    kinds = [r.get("kind") for r in records]
    assert "context_trim" in kinds and "condense_failure" in kinds
    assert verify(find_trace(workspace, task_id)).status == "intact"


def test_without_a_summarise_role_the_tasks_own_model_writes_the_summary(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    def reply(body: dict[str, Any]) -> Reply:
        if SUMMARY_SYSTEM in body["messages"][0]["content"]:
            return Reply(text="OWN-SUMMARY: filler read.")
        return call("read_file", path="big.txt")

    model_server.add(*[reply for _ in range(6)])
    result, events, _ = run_long_task(model_server, workspace, reads=0)
    assert result.outcome == "completed", result.message
    condensed = [e for e in events if isinstance(e, ContextCondensed)]
    assert condensed and condensed[0].profile == "main" and condensed[0].summary == "OWN-SUMMARY: filler read."


def test_flambeau_run_condenses_with_the_summarise_role_and_says_so(
    model_server: ScriptedModelServer, summariser: ScriptedModelServer, workspace: Path
) -> None:
    from tests.conftest import run_scripted_cli

    write_roles(summariser.base_url)
    numbered_summaries(summariser, 3)
    (workspace / "big.txt").write_text("line of filler text\n" * 400)
    model_server.add(*[call("read_file", path="big.txt") for _ in range(6)], call("attempt_completion", result="ok"))
    result = run_scripted_cli(
        model_server, workspace, "--context-window", str(WINDOW), "--approve", "auto-all", "read it all"
    )
    assert result.code == 0, result.stderr
    assert "condensed into a summary by summ" in result.stderr
    assert summariser.chat_requests and "SUMMARY-1" in json.dumps(model_server.chat_requests[-1].body)
