"""The headless CLI drives a whole session through litellm against a scripted model over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.trace import list_traces, verify
from tests.conftest import run_cli, run_scripted_cli
from tests.scripted_server import Reply, ScriptedModelServer, call
from tools.registry import default_tools


@pytest.fixture(autouse=True)
def _every_session_leaves_a_trace_that_verifies(workspace: Path) -> Iterator[None]:
    yield
    traces = list_traces(workspace)
    assert traces, "each test here runs a session, and every session must write a trace in its workspace"
    for trace in traces:
        report = verify(trace.path, replay=True)
        assert report.status == "intact" and report.exit_code == 0, report.message
        assert "*" in (workspace / ".flambeau" / ".gitignore").read_text().splitlines()


def _session_script() -> list[Reply]:
    return [
        Reply(text="Let me look around.", tool_calls=[("list_files", {"path": "."})]),
        call("read_file", path="notes.txt"),
        call("write_file", path="out/result.txt", content="shouted: HELLO\n"),
        call("run_command", command="cat out/result.txt && echo ran-ok"),
        call("attempt_completion", result="Wrote out/result.txt and checked it."),
    ]


def _tool_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] == "tool"]


@pytest.mark.parametrize("stream", [True, False], ids=["streaming", "plain"])
def test_list_read_write_run_complete(model_server: ScriptedModelServer, workspace: Path, stream: bool) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    model_server.add(*_session_script())
    extra = [] if stream else ["--no-stream"]
    result = run_scripted_cli(
        model_server,
        workspace,
        "--approve",
        "auto-all",
        "--json",
        *extra,
        "Shout the notes",
    )
    assert result.code == 0, result.stderr
    assert (workspace / "out" / "result.txt").read_text() == "shouted: HELLO\n"
    events = result.events()
    assert events[-1]["type"] == "task_finished" and events[-1]["outcome"] == "completed"
    assert [e["tool"] for e in events if e["type"] == "tool_result"] == [
        "list_files",
        "read_file",
        "write_file",
        "run_command",
        "attempt_completion",
    ]
    run_result = next(e for e in events if e["type"] == "tool_result" and e["tool"] == "run_command")
    assert "ran-ok" in run_result["output"] and run_result["data"]["exit_code"] == 0

    bodies = [r.body for r in model_server.chat_requests]
    assert len(bodies) == 5
    assert all(b.get("stream", False) is stream for b in bodies)
    for body in bodies:
        names = sorted(t["function"]["name"] for t in body["tools"])
        assert names == sorted(default_tools().names())
        assert {"attempt_completion", "list_files", "read_file", "run_command", "write_file"} <= set(names)
    # Each tool result is fed back to the model in the next request.
    assert "notes.txt" in _tool_messages(bodies[1])[-1]["content"]
    assert _tool_messages(bodies[2])[-1]["content"] == "hello\n"
    assert "created out/result.txt" in _tool_messages(bodies[3])[-1]["content"]
    assert "ran-ok" in _tool_messages(bodies[4])[-1]["content"]
    if stream:
        assert "".join(e["text"] for e in events if e["type"] == "text_delta") == "Let me look around."


def test_text_protocol_session_reaches_the_same_result(model_server: ScriptedModelServer, workspace: Path) -> None:
    (workspace / "notes.txt").write_text("hello\n")

    def as_text(reply: Reply) -> Reply:
        name, arguments = reply.tool_calls[0]
        block = json.dumps({"name": name, "arguments": arguments})
        return Reply(text=f"{reply.text}\n<tool_call>\n{block}\n</tool_call>")

    model_server.add(*[as_text(r) for r in _session_script()])
    result = run_scripted_cli(
        model_server,
        workspace,
        "--approve",
        "auto-all",
        "--tool-mode",
        "text",
        "--json",
        "Shout",
    )
    assert result.code == 0, result.stderr
    assert (workspace / "out" / "result.txt").read_text() == "shouted: HELLO\n"
    bodies = [r.body for r in model_server.chat_requests]
    assert all("tools" not in b for b in bodies)
    assert "<tool_call>" in bodies[0]["messages"][0]["content"]
    assert "Result of read_file:\nhello\n" in bodies[2]["messages"][-1]["content"]


def test_malformed_text_call_gets_a_repair_message_and_recovers(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(
        Reply(text='<tool_call>{"name": "read_file", "arguments": {"path": </tool_call>'),
        Reply(text='<tool_call>{"name": "read_file", "arguments": {"pathh": "x"}}</tool_call>'),
        Reply(text='<tool_call>{"name": "attempt_completion", "arguments": {"result": "done"}}</tool_call>'),
    )
    result = run_scripted_cli(
        model_server,
        workspace,
        "--tool-mode",
        "text",
        "--json",
        "Do it",
    )
    assert result.code == 0, result.stderr
    bodies = [r.body for r in model_server.chat_requests]
    first_repair = bodies[1]["messages"][-1]["content"]
    assert "not valid JSON" in first_repair
    second_repair = bodies[2]["messages"][-1]["content"]
    assert "pathh" in second_repair and "Extra inputs are not permitted" in second_repair
    assert "path" in second_repair and "Field required" in second_repair


def test_repeated_malformed_calls_end_the_task_with_a_readable_error(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(*[Reply(text="<tool_call>not json</tool_call>") for _ in range(3)])
    result = run_scripted_cli(
        model_server,
        workspace,
        "--tool-mode",
        "text",
        "Do it",
    )
    assert result.code == 1
    assert "malformed" in result.stderr or "usable tool call 3 times" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(model_server.chat_requests) == 3


def test_native_malformed_arguments_are_repaired(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(Reply(tool_calls=[("read_file", '{"path": "a.txt"')]), call("attempt_completion", result="ok"))
    result = run_scripted_cli(
        model_server,
        workspace,
        "--json",
        "x",
    )
    assert result.code == 0, result.stderr
    repair = _tool_messages(model_server.chat_requests[1].body)[0]["content"]
    assert "not valid JSON" in repair


def test_server_error_twice_then_success(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(Reply(status=500), Reply(status=503), call("attempt_completion", result="finally"))
    result = run_scripted_cli(model_server, workspace, "x")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "finally"
    assert len(model_server.chat_requests) == 3


def test_unreachable_server_fails_naming_the_url(workspace: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    result = run_cli(
        "run", "--workspace", str(workspace), "--model", "openai/scripted", "--api-base", url, "x", timeout=60
    )
    assert result.code == 1
    assert url in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_without_a_terminal_denies_and_says_so(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(call("write_file", path="a.txt", content="x"), call("attempt_completion", result="gave up"))
    result = run_scripted_cli(
        model_server,
        workspace,
        "--approve",
        "ask",
        "write a",
        stdin="",
    )
    assert result.code == 0
    assert not (workspace / "a.txt").exists()
    assert "not a terminal" in result.stderr or "not one" in result.stderr
    assert "Not run" in _tool_messages(model_server.chat_requests[1].body)[0]["content"]


def test_step_limit_stops_the_task(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(*[call("list_files") for _ in range(3)])
    result = run_scripted_cli(
        model_server,
        workspace,
        "--max-steps",
        "2",
        "x",
    )
    assert result.code == 3
    assert "step limit" in result.stderr
    assert len(model_server.chat_requests) == 2
