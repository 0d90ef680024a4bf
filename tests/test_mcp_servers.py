"""The MCP client against real servers: mcp-server-time over stdio, server-everything over stdio,
streamable HTTP and SSE (on 127.0.0.1), each started by the test."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.mcp import McpManager
from tests.mcp_config import write_user_servers
from tests.mcp_servers import everything_entry, everything_http, everything_stdio, hostile_stdio, time_stdio
from tests.processes import wait_until
from tools.base import Category, ToolContext
from tools.workspace.jail import Workspace


@pytest.fixture(scope="session")
def everything_installed() -> Path:
    return everything_entry()


@pytest.fixture(params=["stdio", "streamable-http", "sse"])
def everything_server(request: pytest.FixtureRequest, everything_installed: Path) -> Iterator[dict[str, object]]:
    if request.param == "stdio":
        yield everything_stdio()
        return
    transport = "sse" if request.param == "sse" else "streamableHttp"
    with everything_http(transport) as url:
        yield {"url": url, "type": "sse"} if request.param == "sse" else {"url": url}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_the_time_server_over_stdio_lists_its_tools_and_answers_a_call(workspace: Path) -> None:
    write_user_servers({"time": time_stdio()})

    async def scenario() -> tuple[object, object, list[str]]:
        async with McpManager(workspace) as mcp:
            (state,) = await mcp.start()
            outcome = await mcp.call_tool("time", "get_current_time", {"timezone": "Asia/Tokyo"})
            return state, outcome, [t.name for t in mcp.tools()]

    state, outcome, names = asyncio.run(scenario())
    assert state.status == "running", state.last_error  # type: ignore[attr-defined]
    assert state.server_info["name"] == "mcp-time" and state.server_info["version"]  # type: ignore[attr-defined]
    assert names == ["mcp__time__get_current_time", "mcp__time__convert_time"]
    assert outcome.ok and json.loads(outcome.text)["timezone"] == "Asia/Tokyo"  # type: ignore[attr-defined]


def test_everything_serves_tools_resources_and_prompts_over_each_transport(
    workspace: Path, everything_server: dict[str, object]
) -> None:
    write_user_servers({"every": everything_server})

    async def scenario() -> dict[str, object]:
        async with McpManager(workspace, start_timeout_s=60) as mcp:
            (state,) = await mcp.start()
            assert state.status == "running", state.last_error
            tools = {t.name: t for t in mcp.tools()}
            echo = tools["mcp__every__echo"]
            ctx = ToolContext(workspace=Workspace(workspace))
            result = await echo.run(echo.parse({"message": "bonjour"}), ctx)
            reader = tools["mcp_read_resource"]
            uri = mcp.connection("every").resources[0]["uri"]  # type: ignore[union-attr]
            resource = await reader.run(reader.parse({"server": "every", "uri": uri}), ctx)
            prompts = mcp.prompts()["every"]
            simple = next(p for p in prompts if not any(a["required"] for a in p.arguments))
            messages = await mcp.get_prompt("every", simple.name)
            return {"state": state, "tools": tools, "echo": result, "resource": resource, "messages": messages}

    seen = asyncio.run(scenario())
    state = seen["state"]
    assert state.server_info["name"] == "mcp-servers/everything"  # type: ignore[attr-defined]
    assert state.tool_count >= 10 and state.resource_count > 0 and state.prompt_count > 0  # type: ignore[attr-defined]
    tools = seen["tools"]
    echo = tools["mcp__every__echo"]  # type: ignore[index]
    assert echo.category is Category.MCP
    assert echo.openai_schema()["function"]["parameters"]["properties"]["message"]["type"] == "string"
    assert seen["echo"].ok and seen["echo"].output == "Echo: bonjour"  # type: ignore[attr-defined]
    assert seen["echo"].data["mcp"]["server_info"]["name"] == "mcp-servers/everything"  # type: ignore[attr-defined]
    assert seen["resource"].ok and seen["resource"].output.strip()  # type: ignore[attr-defined]
    assert seen["messages"] and seen["messages"][0]["text"]  # type: ignore[index]


def test_arguments_that_break_the_servers_schema_are_a_repairable_error_before_anything_is_sent(
    workspace: Path, everything_installed: Path
) -> None:
    from agent.calls.text import MalformedCall, validate_call
    from agent.models.gateway import ToolCall
    from tools.registry import ToolRegistry

    write_user_servers({"every": everything_stdio()})

    async def scenario() -> str:
        async with McpManager(workspace) as mcp:
            await mcp.start()
            registry = ToolRegistry(mcp.tools())
            with pytest.raises(MalformedCall) as problem:
                validate_call(ToolCall("c1", "mcp__every__get-sum", json.dumps({"a": "one", "b": 2})), registry)
            return str(problem.value)

    message = asyncio.run(scenario())
    assert "mcp__every__get-sum" in message and "a:" in message and "'one' is not of type 'number'" in message


def test_closing_ends_a_stdio_server_and_everything_it_started(workspace: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    write_user_servers({"parent": hostile_stdio("spawn-child", str(pidfile))})

    async def scenario() -> int:
        async with McpManager(workspace) as mcp:
            (state,) = await mcp.start()
            assert state.status == "running", state.last_error
            assert wait_until(pidfile.exists, 10)
            child = int(pidfile.read_text())
            assert _alive(child)
            return child

    child = asyncio.run(scenario())
    assert wait_until(lambda: not _alive(child), 10), "the server's own child outlived its connection"


def test_a_stdio_server_gets_only_the_environment_it_is_given(
    workspace: Path, everything_installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-for-servers-0123456789")
    entry = {**everything_stdio(), "env": {"GREETING": "salut"}}
    write_user_servers({"every": entry})

    async def scenario() -> str:
        async with McpManager(workspace) as mcp:
            await mcp.start()
            return (await mcp.call_tool("every", "get-env", {})).text

    env = json.loads(asyncio.run(scenario()))
    assert env["GREETING"] == "salut"
    assert "OPENAI_API_KEY" not in env, "the agent's own secrets are not handed to a server"
    assert env["HOME"] == os.environ["HOME"]
