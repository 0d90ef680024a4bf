"""A whole `flambeau run` with a real MCP server: the scripted model (over HTTP) calls server-everything's
tools over stdio; the result reaches the model, capped like other tool output; the trace records the
server's identity (name, command, serverInfo name and version) and verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.trace import list_traces, read_trace
from tests.conftest import run_cli, run_scripted_cli
from tests.mcp_config import write_user_servers
from tests.mcp_servers import everything_entry, everything_stdio
from tests.scripted_server import ScriptedModelServer, call
from tools.base import ToolContext

LONG = " ".join(f"word{i}" for i in range(10_000))
"""About 90,000 characters: more than a tool's output cap (ToolContext.max_output_bytes)."""


def _trace(workspace: Path) -> tuple[Path, list[dict[str, Any]]]:
    [summary] = list_traces(workspace)
    return summary.path, read_trace(summary.path).valid_records()


def test_a_task_calls_a_server_tool_and_the_result_reaches_the_model_capped_and_traced(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    entry = everything_stdio()
    everything_entry()
    write_user_servers({"every": entry})
    model_server.add(
        call("mcp__every__get-sum", a=19, b=23),
        call("mcp__every__echo", message=LONG),
        call("attempt_completion", result="the sum is 42"),
    )
    result = run_scripted_cli(
        model_server, workspace, "--approve", "auto-all", "--json", "--context-window", "500000", "add 19 and 23"
    )
    assert result.code == 0, result.stderr

    offered = [t["function"]["name"] for t in model_server.chat_requests[0].body["tools"]]
    assert {"mcp__every__get-sum", "mcp__every__echo"} <= set(offered)
    sum_reply = [m for m in model_server.chat_requests[1].body["messages"] if m["role"] == "tool"][-1]
    assert "42" in sum_reply["content"], "the server's answer reached the model"

    echo_reply = [m for m in model_server.chat_requests[2].body["messages"] if m["role"] == "tool"][-1]["content"]
    cap = ToolContext.__dataclass_fields__["max_output_bytes"].default
    assert len(echo_reply) <= cap and "characters cut from the middle of" in echo_reply
    assert echo_reply.startswith("Echo: word0 word1") and echo_reply.rstrip().endswith("word9999")

    path, records = _trace(workspace)
    verified = run_cli("trace", "verify", str(path))
    assert verified.code == 0 and verified.stdout.startswith("intact"), verified.stdout + verified.stderr
    results = [r for r in records if r.get("kind") == "tool_result" and r["tool"].startswith("mcp__every__")]
    assert [r["tool"] for r in results] == ["mcp__every__get-sum", "mcp__every__echo"]
    for record in results:
        who = record["data"]["mcp"]
        assert who["name"] == "every" and who["origin"] == "user" and who["transport"] == "stdio"
        assert who["command"] == [entry["command"], *entry["args"]]  # type: ignore[misc]
        assert who["server_info"]["name"] == "mcp-servers/everything" and who["server_info"]["version"]
        assert who["locality"] == "local"
    assert results[1]["output_bytes"] <= cap, "the trace holds the capped output the model saw"
    started = json.dumps(next(r for r in records if r.get("kind") == "task_start"))
    assert '"every"' in started and "mcp-servers/everything" in started, "the task's start lists its servers"
