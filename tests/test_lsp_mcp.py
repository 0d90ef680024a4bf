"""The MCP servers over LSP: a real client over stdio against `flambeau lsp`, which starts real MCP servers
(mcp-server-time, server-everything): list, restart, a failing server's last error, a server that dies
while idle, trust of a workspace server from the panel (never started before), a task that calls its tool,
prompts for slash commands, a broken .mcp.json, the local-only switch, and the `flambeau/mcpServersChanged`
notification."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from tests.lsp_harness import Editor, process_gone, wait_gone
from tests.mcp_config import write_user_servers, write_workspace_servers
from tests.mcp_servers import everything_entry, everything_http, everything_stdio
from tests.processes import wait_until
from tests.scripted_server import ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor

TIME_TOOLS = ["get_current_time", "convert_time"]


def _time_with_pid(pidfile: Path) -> dict[str, object]:
    """mcp-server-time, leaving its pid in `pidfile` when (and only when) it is started."""
    script = 'echo $$ > "$1"; exec "$0" -m mcp_server_time --local-timezone UTC'
    return {"command": "/bin/sh", "args": ["-c", script, sys.executable, str(pidfile)]}


def _latest(editor: Editor, name: str) -> dict[str, Any] | None:
    for change in reversed(editor.mcp_changes):
        for server in change["servers"]:
            if server["name"] == name:
                return dict(server)
    return None


async def _wait_state(editor: Editor, name: str, state: str) -> dict[str, Any]:
    await editor.wait_until(lambda: (_latest(editor, name) or {}).get("state") == state)
    found = _latest(editor, name)
    assert found is not None
    return found


def _states_since(editor: Editor, index: int, name: str) -> list[str]:
    states = [s["state"] for c in editor.mcp_changes[index:] for s in c["servers"] if s["name"] == name]
    return [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]


async def _command(editor: Editor, command: str, *arguments: Any) -> Any:
    params = types.ExecuteCommandParams(command=command, arguments=list(arguments))
    return await editor.request(types.WORKSPACE_EXECUTE_COMMAND, params)


def _by_name(listed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in listed["servers"]}


def test_servers_are_listed_restarted_and_a_failed_or_dead_one_says_why(
    workspace: Path, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    pidfile = tmp_path / "time.pid"
    write_user_servers({"time": _time_with_pid(pidfile), "ghost": {"command": "/nonexistent/ghost"}})

    async def scenario(editor: Editor) -> None:
        await _wait_state(editor, "time", "running")
        await _wait_state(editor, "ghost", "failed")
        listed = await editor.request("flambeau/listMcpServers", {})
        assert listed["configError"] is None
        servers = _by_name(listed)
        assert list(servers) == ["time", "ghost"]
        time = servers["time"]
        assert time["source"] == "user" and time["transport"] == "stdio" and time["locality"] == "local"
        assert "mcp_server_time" in time["commandLine"] and time["file"].endswith("mcp.json")
        assert time["trusted"] is True and time["trust"] == "not-needed"
        assert time["toolCount"] == 2 and time["tools"] == [f"mcp__time__{t}" for t in TIME_TOOLS]
        assert time["serverInfo"]["name"] == "mcp-time" and time["serverInfo"]["version"]
        assert time["lastError"] == ""
        ghost = servers["ghost"]
        assert ghost["toolCount"] == 0 and ghost["serverInfo"] is None
        assert "the MCP server 'ghost'" in ghost["lastError"] and "/nonexistent/ghost" in ghost["lastError"]

        first = int(pidfile.read_text())
        seen = len(editor.mcp_changes)
        restarted = await editor.request("flambeau/restartMcpServer", {"name": "time"})
        assert restarted["state"] == "running" and restarted["toolCount"] == 2
        await wait_gone(first)
        second = int(pidfile.read_text())
        assert second != first
        assert _states_since(editor, seen, "time") == ["stopped", "starting", "running"]

        # Killed while idle: the panel must not keep showing it running.
        os.kill(second, signal.SIGKILL)
        dead = await _wait_state(editor, "time", "failed")
        assert "the MCP server 'time'" in dead["lastError"], dead
        listed = _by_name(await _command(editor, "flambeau.listMcpServers"))
        assert listed["time"]["state"] == "failed" and listed["time"]["toolCount"] == 0
        again = await _command(editor, "flambeau.restartMcpServer", "time")
        assert again["state"] == "running" and again["lastError"] == ""

        with pytest.raises(JsonRpcInvalidParams, match="no MCP server is named 'nope'"):
            await editor.request("flambeau/restartMcpServer", {"name": "nope"})
        with pytest.raises(JsonRpcInvalidParams, match=r"arguments are \[name\]"):
            await _command(editor, "flambeau.restartMcpServer")

    run_editor(workspace, model_server, scenario)


def test_a_workspace_server_starts_only_once_trusted_and_a_task_calls_its_tool(
    workspace: Path, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    pidfile = tmp_path / "clock.pid"
    write_workspace_servers(workspace, {"clock": {**_time_with_pid(pidfile), "env": {"TZ": "UTC"}}})
    model_server.add(
        call("mcp__clock__get_current_time", timezone="Asia/Tokyo"),
        call("attempt_completion", result="It is evening in Tokyo."),
    )

    async def before_trust(editor: Editor) -> None:
        untrusted = await _wait_state(editor, "clock", "untrusted")
        assert untrusted["source"] == "workspace" and untrusted["trusted"] is False
        assert untrusted["trust"] == "untrusted" and str(pidfile) in untrusted["commandLine"]
        assert untrusted["file"] == str(workspace / ".mcp.json") and untrusted["folder"] == str(workspace)
        assert untrusted["envNames"] == ["TZ"] and untrusted["headerNames"] == []
        listed = _by_name(await editor.request("flambeau/listMcpServers", {}))
        assert listed["clock"]["state"] == "untrusted"
        with pytest.raises(JsonRpcInvalidParams, match="no MCP server is named"):
            await editor.request("flambeau/trustMcpServer", {"name": "other"})
        assert not pidfile.exists(), "an untrusted workspace server was started"

        trusted = await editor.request("flambeau/trustMcpServer", {"name": "clock"})
        assert trusted["state"] == "running" and trusted["trusted"] is True and trusted["trust"] == "trusted"
        assert trusted["toolCount"] == 2 and pidfile.exists()

        editor.approval_answers = [{"decision": "approve"}]
        task_id = await editor.start_task("What time is it in Tokyo?", approvalMode="ask")
        end = await editor.wait_for_end(task_id)
        assert end["type"] == "task_finished" and end["outcome"] == "completed", end
        asked = editor.approval_requests[0]["event"]
        assert asked["category"] == "mcp" and asked["tool"] == "mcp__clock__get_current_time"
        assert asked["arguments"] == {"timezone": "Asia/Tokyo"} and "MCP server 'clock'" in asked["preview"]
        offered = [t["function"]["name"] for t in model_server.chat_requests[0].body["tools"]]
        assert {f"mcp__clock__{t}" for t in TIME_TOOLS} <= set(offered)
        answer = next(m for m in model_server.chat_requests[1].body["messages"] if m["role"] == "tool")
        assert json.loads(answer["content"])["timezone"] == "Asia/Tokyo"
        started = editor.events_of(task_id, "task_started")[0]
        assert [s["status"] for s in started["extra"]["mcp_servers"] if s["name"] == "clock"] == ["running"]
        result = editor.events_of(task_id, "tool_result")[0]
        assert result["ok"] and result["data"]["mcp"]["server_info"]["name"] == "mcp-time"

    run_editor(workspace, model_server, before_trust)
    first = int(pidfile.read_text())
    assert wait_until(lambda: process_gone(first), 30), "the server outlived the session's shutdown"
    pidfile.unlink()

    async def next_session(editor: Editor) -> None:
        running = await _wait_state(editor, "clock", "running")  # the trust is remembered for this workspace
        assert running["trust"] == "trusted" and pidfile.exists()
        second = int(pidfile.read_text())
        assert second != first
        revoked = await _command(editor, "flambeau.trustMcpServer", "clock", False)
        assert revoked["state"] == "untrusted" and revoked["trusted"] is False
        await wait_gone(second)

    run_editor(workspace, model_server, next_session)


@pytest.fixture(scope="module")
def everything_installed() -> Path:
    return everything_entry()


def test_prompts_for_slash_commands_and_a_broken_configuration(
    workspace: Path, model_server: ScriptedModelServer, everything_installed: Path
) -> None:
    write_user_servers({"every": everything_stdio()})

    async def scenario(editor: Editor) -> None:
        await _wait_state(editor, "every", "running")
        prompts = (await editor.request("flambeau/listMcpPrompts", {}))["prompts"]
        assert prompts and all(p["server"] == "every" and p["command"] == f"/every:{p['name']}" for p in prompts)
        with_arguments = next(p for p in prompts if any(a["required"] for a in p["arguments"]))
        values = {a["name"]: f"value-of-{a['name']}" for a in with_arguments["arguments"] if a["required"]}
        got = await editor.request(
            "flambeau/getMcpPrompt", {"server": "every", "name": with_arguments["name"], "arguments": values}
        )
        assert got["messages"] and got["messages"][0]["role"] in ("user", "assistant")
        assert all(v in got["text"] for v in values.values()), got
        assert got["text"] == "\n\n".join(m["text"] for m in got["messages"] if m["text"])
        missing = next(a["name"] for a in with_arguments["arguments"] if a["required"])
        with pytest.raises(JsonRpcInvalidParams, match=f"needs {missing}"):
            await editor.request("flambeau/getMcpPrompt", {"server": "every", "name": with_arguments["name"]})
        with pytest.raises(JsonRpcInvalidParams, match="has no prompt 'nope'"):
            await editor.request("flambeau/getMcpPrompt", {"server": "every", "name": "nope"})
        by_command = await _command(editor, "flambeau.getMcpPrompt", "every", with_arguments["name"], values)
        assert by_command["text"] == got["text"]
        listed = await _command(editor, "flambeau.listMcpPrompts")
        assert listed["prompts"] == prompts

        (workspace / ".mcp.json").write_text('{"mcpServers": ')
        broken = await editor.request("flambeau/listMcpServers", {})
        assert broken["servers"] == [] and ".mcp.json is not valid JSON" in broken["configError"]
        assert (await editor.request("flambeau/listMcpPrompts", {}))["prompts"] == []
        with pytest.raises(JsonRpcInvalidParams, match="no MCP server can be used"):
            await editor.request("flambeau/restartMcpServer", {"name": "every"})
        (workspace / ".mcp.json").unlink()
        fixed = _by_name(await editor.request("flambeau/listMcpServers", {}))
        assert fixed["every"]["state"] == "running"

    run_editor(workspace, model_server, scenario)


def test_the_local_only_switch_refuses_a_cloud_server_in_the_session_and_allows_it_again(
    workspace: Path, model_server: ScriptedModelServer, everything_installed: Path
) -> None:
    pidfile = workspace.parent / "time.pid"
    with everything_http() as url:
        write_user_servers({"remote": {"url": url, "locality": "cloud"}, "time": _time_with_pid(pidfile)})

        async def scenario(editor: Editor) -> None:
            remote = await _wait_state(editor, "remote", "running")
            assert remote["locality"] == "cloud" and remote["transport"] == "http" and remote["commandLine"] == url
            await _wait_state(editor, "time", "running")
            local_pid = int(pidfile.read_text())
            await editor.request("flambeau/setLocalOnly", {"enabled": True})
            servers = _by_name(await editor.request("flambeau/listMcpServers", {}))
            assert servers["remote"]["state"] == "refused" and servers["remote"]["toolCount"] == 0
            assert "local-only mode is on" in servers["remote"]["lastError"]
            assert servers["time"]["state"] == "running" and int(pidfile.read_text()) == local_pid
            assert _latest(editor, "remote") == servers["remote"]  # the panel was told
            await editor.request("flambeau/setLocalOnly", {"enabled": False})
            servers = _by_name(await editor.request("flambeau/listMcpServers", {}))
            assert servers["remote"]["state"] == "running" and servers["remote"]["lastError"] == ""

        run_editor(workspace, model_server, scenario)
