"""What the trace writer records for a session, and when: durable before the next subscriber runs,
checkpoints at step boundaries, a sealed end, every event type mapped."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from agent.approval import ApproveAll
from agent.events import CheckpointCreated, Event, TaskFinished, ToolResultEvent
from agent.models.resolve import resolve_profile
from agent.runner import TaskSpec, build_session
from agent.session import Session
from agent.trace import TraceWriter, list_traces, trace_path, verify
from agent.trace.layout import UnsafeStateDir
from agent.trace.packs import TraceBlobs
from agent.trace.redaction import Redactor
from agent.trace.requests import request_body
from tests.scripted_server import Reply, ScriptedModelServer, call
from tests.trace_mutations import records
from tests.trace_sessions import editing_script


def _session(server: ScriptedModelServer, workspace: Path, sink: Any) -> Session:
    profile = resolve_profile("openai/scripted", api_base=server.base_url)
    spec = TaskSpec(task="Shout the notes", workspace=workspace, profile=profile, approval_mode="auto-all")
    return build_session(spec, ApproveAll(), sink)


def test_each_record_is_on_disk_before_the_front_end_sees_its_event(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    model_server.add(*editing_script())
    seen: list[tuple[str, int]] = []

    def front_end(event: Event) -> None:
        [trace] = (workspace / ".flambeau" / "traces").glob("*.jsonl")
        data = trace.read_bytes()
        assert data.endswith(b"\n"), "a half-written record"
        seen.append((event.type, data.count(b"\n")))

    session = _session(model_server, workspace, front_end)
    asyncio.run(session.run())
    lines = [count for _, count in seen]
    assert lines == sorted(lines) and lines[0] >= 2  # header + task start before TaskStarted reaches anyone
    kinds = [r["kind"] for r in records(trace_path(workspace, session.task_id))]
    for event_type, count in seen:
        expected = {"tool_call_proposed": "tool_call", "approval_decided": "approval", "model_request": "model_request"}
        if event_type in expected:
            assert kinds[count - 1] == expected[event_type], (event_type, count)


def test_checkpoints_follow_each_model_response_and_tool_result_and_seal_the_end(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    model_server.add(*editing_script())
    session = _session(model_server, workspace, lambda event: None)
    asyncio.run(session.run())
    recorded = records(trace_path(workspace, session.task_id))
    kinds = [r["kind"] for r in recorded]
    for index, kind in enumerate(kinds):
        if kind == "model_response":
            assert kinds[index + 1] == "checkpoint"
        if kind == "tool_result":
            following = [k for k in kinds[index + 1 :] if k != "file_change"]
            assert following[0] == "checkpoint"
    assert kinds[-2:] == ["task_end", "checkpoint"] and recorded[-1]["final"] is True
    assert kinds.count("assistant_text") == 1  # the streamed deltas of one reply make one record
    assert next(r for r in recorded if r["kind"] == "assistant_text")["text"] == "Let me look around."
    start = next(r for r in recorded if r["kind"] == "task_start")
    assert start["model"] == "openai/scripted" and start["locality"] == "local" and len(start["config_digest"]) == 64
    response = next(r for r in recorded if r["kind"] == "model_response")
    assert response["response_model"] and response["prompt_tokens"] > 0 and "latency_s" in response
    assert verify(trace_path(workspace, session.task_id)).status == "intact"


def test_exact_request_bodies_and_written_contents_are_blobs_but_never_on_the_wire(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(call("write_file", path="a.txt", content="alpha\n"), call("attempt_completion", result="ok"))
    events: list[Event] = []
    session = _session(model_server, workspace, events.append)
    asyncio.run(session.run())
    trace = trace_path(workspace, session.task_id)
    blobs = TraceBlobs(trace)

    result = next(e for e in events if isinstance(e, ToolResultEvent) and e.tool == "write_file")
    assert result.file_changes[0].after_content == b"alpha\n"
    assert "after_content" not in json.dumps(result.to_dict())

    change = next(r for r in records(trace) if r["kind"] == "file_change")
    assert blobs.get(change["after_blob"]) == b"alpha\n"
    requests = [r for r in records(trace) if r["kind"] == "model_request"]
    for record, sent in zip(requests, model_server.chat_requests, strict=True):
        body = request_body(trace, record["seq"])
        assert json.loads(body)["messages"] == sent.body["messages"]
        assert hashlib.sha256(body).hexdigest() == record["body_sha256"] and len(body) == record["body_bytes"]
    second = blobs.get(requests[1]["request_blob"]) or b""
    assert json.loads(second)["base"] == requests[0]["request_blob"]  # only what is new is stored again


def test_a_cancelled_task_records_the_cancellation_and_still_verifies(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    gate = threading.Event()
    model_server.add(Reply(tool_calls=[("list_files", {})], wait_for=gate))
    session = _session(model_server, workspace, lambda event: None)

    async def scenario() -> None:
        task = asyncio.ensure_future(session.run())
        await asyncio.to_thread(model_server.wait_for_requests, 1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        gate.set()

    asyncio.run(scenario())
    recorded = records(trace_path(workspace, session.task_id))
    assert [r["kind"] for r in recorded[-3:]] == ["cancellation", "task_end", "checkpoint"]
    assert recorded[-2]["outcome"] == "cancelled"
    assert verify(trace_path(workspace, session.task_id)).status == "intact"


def test_a_failed_task_records_the_error(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(*[Reply(status=400, error_message="bad request from the script")] * 5)
    session = _session(model_server, workspace, lambda event: None)
    asyncio.run(session.run())
    recorded = records(trace_path(workspace, session.task_id))
    error = next(r for r in recorded if r["kind"] == "error")
    assert "bad request from the script" in error["error"]
    assert [r["kind"] for r in recorded[-2:]] == ["task_end", "checkpoint"]
    assert verify(trace_path(workspace, session.task_id)).status == "intact"


def test_a_follow_up_after_the_end_continues_the_same_trace(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(call("attempt_completion", result="first"), call("attempt_completion", result="second"))
    session = _session(model_server, workspace, lambda event: None)
    asyncio.run(session.run())
    session.follow_up("one more thing")
    asyncio.run(session.run())
    [summary] = list_traces(workspace)
    recorded = records(summary.path)
    assert [r["kind"] for r in recorded].count("task_end") == 2
    assert any(r["kind"] == "user_message" and r["text"] == "one more thing" for r in recorded)
    report = verify(summary.path)
    assert report.status == "intact" and report.sealed, report.message


@dataclass(frozen=True)
class ShadowCheckpointMade(Event):
    """An event type the trace writer has never heard of."""

    type: ClassVar[str] = "shadow_checkpoint_made"
    commit: str = ""
    files: list[str] | None = None


def test_event_types_added_later_are_recorded_generically(workspace: Path) -> None:
    writer = TraceWriter(workspace, "t-generic", redactor=Redactor())
    writer(ShadowCheckpointMade(task_id="t-generic", commit="abc123", files=["a.py"]))
    writer(CheckpointCreated(task_id="t-generic", checkpoint_id="c0ffee", step=1, files=3, skipped=["big.bin"]))
    writer(TaskFinished(task_id="t-generic", outcome="completed", result="ok", steps=1))
    generic = next(r for r in records(writer.path) if r["kind"] == "event")
    assert generic["event_type"] == "shadow_checkpoint_made"
    assert generic["data"] == {"commit": "abc123", "files": ["a.py"]}
    snapshot = next(r for r in records(writer.path) if r["kind"] == "workspace_checkpoint")
    assert (snapshot["checkpoint_id"], snapshot["files"], snapshot["skipped"]) == ("c0ffee", 3, ["big.bin"])
    assert verify(writer.path).status == "intact"


def test_git_ignores_traces_and_blobs_but_not_the_workspace_model_policy(workspace: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    writer = TraceWriter(workspace, "t-ignored", redactor=Redactor())
    writer(TaskFinished(task_id="t-ignored", outcome="completed", result="ok", steps=0))
    (workspace / ".flambeau" / "models.toml").write_text("local_only = true\n")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=workspace, capture_output=True, text=True
    )
    assert status.stdout.splitlines() == ["?? .flambeau/models.toml"]


def test_a_state_folder_that_leads_outside_the_workspace_is_refused(workspace: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workspace / ".flambeau").symlink_to(elsewhere)
    with pytest.raises(UnsafeStateDir, match="symbolic link"):
        TraceWriter(workspace, "t-symlink", redactor=Redactor())
    assert list(elsewhere.iterdir()) == []
