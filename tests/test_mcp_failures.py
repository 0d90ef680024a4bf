"""A server that does not start, hangs, crashes mid-call or answers garbage: a clear error naming it,
within its timeout, the other servers unharmed, no process left behind, and the task goes on."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from pathlib import Path

import pytest

from agent.approval import ApproveAll
from agent.events import Event, ModelNotice, ToolResultEvent
from agent.mcp import McpError, McpManager, McpTimeout, ServerState
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from tests.mcp_config import write_user_servers
from tests.mcp_servers import everything_entry, everything_http_process, hostile_stdio, time_stdio
from tests.processes import wait_until
from tests.scripted_server import ScriptedModelServer, call

START_TIMEOUT_S = 3.0
CALL_TIMEOUT_S = 2.0
MARGIN_S = 4.0
"""Time allowed beyond a timeout for the SDK's bounded shutdown of the server."""


def _pid_of(state_or_error: str) -> int:
    match = re.search(r"pid (\d+)", state_or_error)
    assert match, f"the error quotes the server's stderr, which starts with its pid: {state_or_error}"
    return int(match.group(1))


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def _manager(workspace: Path) -> McpManager:
    return McpManager(workspace, start_timeout_s=START_TIMEOUT_S, call_timeout_s=CALL_TIMEOUT_S)


def _start(workspace: Path, servers: dict[str, object]) -> tuple[dict[str, ServerState], float]:
    write_user_servers(servers)

    async def scenario() -> tuple[dict[str, ServerState], float]:
        async with _manager(workspace) as mcp:
            started = time.monotonic()
            states = {s.name: s for s in await mcp.start()}
            return states, time.monotonic() - started

    return asyncio.run(scenario())


def test_a_missing_program_is_named_with_the_fix(workspace: Path) -> None:
    states, _ = _start(workspace, {"ghost": {"command": "/nonexistent/mcp-ghost", "args": ["--serve"]}})
    state = states["ghost"]
    assert state.status == "failed"
    assert "'ghost'" in state.last_error and "/nonexistent/mcp-ghost" in state.last_error
    assert "check \"command\" and your PATH" in state.last_error


def test_a_server_that_exits_at_once_fails_with_its_own_words_and_the_others_still_start(workspace: Path) -> None:
    states, _ = _start(workspace, {"quitter": hostile_stdio("exit-at-once"), "time": time_stdio()})
    assert states["quitter"].status == "failed"
    assert "'quitter'" in states["quitter"].last_error
    assert "hostile: cannot open my configuration" in states["quitter"].last_error
    assert states["time"].status == "running", states["time"].last_error


def test_a_server_that_never_finishes_the_handshake_fails_within_the_start_timeout(workspace: Path) -> None:
    states, elapsed = _start(workspace, {"mute": hostile_stdio("hang")})
    state = states["mute"]
    assert state.status == "failed"
    assert f"did not finish the MCP handshake within {START_TIMEOUT_S:g} s" in state.last_error
    assert elapsed < START_TIMEOUT_S + MARGIN_S
    pid = _pid_of(state.last_error)
    assert wait_until(lambda: _gone(pid), 5), "the hung server was left running"


def test_garbage_instead_of_a_handshake_is_quoted_in_the_error(workspace: Path) -> None:
    states, elapsed = _start(workspace, {"noisy": hostile_stdio("garbage-at-start")})
    state = states["noisy"]
    assert state.status == "failed" and elapsed < START_TIMEOUT_S
    assert "wrote something that is not MCP JSON-RPC: 'Welcome! this is not JSON-RPC'" in state.last_error


def test_tools_whose_names_become_the_same_are_none_of_them_offered_and_the_state_says_why(workspace: Path) -> None:
    states, _ = _start(workspace, {"twins": hostile_stdio("colliding-names")})
    state = states["twins"]
    assert state.status == "running" and state.tools == ("mcp__twins__boom",)
    assert "'a.b', 'a/b' all become mcp__twins__a_b, so none of them is offered" in state.last_error


@pytest.mark.parametrize(
    ("mode", "expected", "still_running"),
    [
        ("hang-on-call", f"no answer within {CALL_TIMEOUT_S:g} s", True),
        ("crash-on-call", "the connection ended (the server exited or closed it)", False),
        ("garbage-on-call", "not MCP JSON-RPC: '<html>502 Bad Gateway</html>'", False),
    ],
)
def test_a_call_that_hangs_crashes_or_gets_garbage_fails_in_time_naming_the_server(
    workspace: Path, mode: str, expected: str, still_running: bool
) -> None:
    write_user_servers({"bad": hostile_stdio(mode), "time": time_stdio()})

    async def scenario() -> tuple[BaseException, float, ServerState, str]:
        async with _manager(workspace) as mcp:
            await mcp.start()
            started = time.monotonic()
            with pytest.raises(McpError) as failure:
                await mcp.call_tool("bad", "boom", {"x": "1"})
            elapsed = time.monotonic() - started
            after = (await mcp.call_tool("time", "get_current_time", {"timezone": "UTC"})).text
            return failure.value, elapsed, mcp.state("bad"), after

    error, elapsed, state, other = asyncio.run(scenario())
    assert "the MCP server 'bad'" in str(error) and "the tool boom" in str(error) and expected in str(error)
    assert isinstance(error, McpTimeout) == (mode == "hang-on-call")
    assert elapsed < CALL_TIMEOUT_S + 1.0
    assert (state.status == "running") == still_running and state.last_error == str(error)
    assert '"timezone": "UTC"' in other, "the other server still answers"
    if mode == "crash-on-call":
        assert "hostile: crashing on purpose" in str(error)
    pid = _pid_of(str(error))
    if not still_running:
        assert wait_until(lambda: _gone(pid), 10), "the broken server was left running"
    assert wait_until(lambda: _gone(pid), 10), "the manager's close leaves no server behind"


def test_the_task_goes_on_when_a_server_crashes_mid_call(model_server: ScriptedModelServer, workspace: Path) -> None:
    write_user_servers({"bad": hostile_stdio("crash-on-call"), "ghost": {"command": "/nonexistent/ghost"}})
    model_server.add(call("mcp__bad__boom", x="go"), call("attempt_completion", result="done without it"))
    events: list[Event] = []
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base=model_server.base_url)

    async def scenario() -> str:
        async with _manager(workspace) as mcp:
            await mcp.start()
            spec = TaskSpec(task="use the bad server", workspace=workspace, profile=profile, approval_mode="auto-all")
            session = build_session(spec, ApproveAll(), events.append, mcp=mcp)
            return (await session.run()).outcome

    assert asyncio.run(scenario()) == "completed"
    result = next(e for e in events if isinstance(e, ToolResultEvent) and e.tool == "mcp__bad__boom")
    assert not result.ok and "the MCP server 'bad'" in result.output and "Go on without this server" in result.output
    notices = [e.message for e in events if isinstance(e, ModelNotice)]
    assert any("'ghost'" in n and "/nonexistent/ghost" in n for n in notices), notices
    sent = model_server.chat_requests[1].body["messages"]
    assert any(m["role"] == "tool" and "the MCP server 'bad'" in m["content"] for m in sent)


def test_a_server_that_dies_while_idle_is_reported_failed_at_once_with_its_last_stderr(workspace: Path) -> None:
    write_user_servers({"quitter": hostile_stdio("leave-on-sigterm"), "time": time_stdio()})

    async def scenario() -> tuple[list[ServerState], ServerState, bool, str, ServerState]:
        async with _manager(workspace) as mcp:
            heard: list[ServerState] = []
            failed = asyncio.Event()

            def listen(state: ServerState) -> None:
                heard.append(state)
                if state.name == "quitter" and state.status == "failed":
                    failed.set()

            mcp.subscribe(listen)
            await mcp.start()
            assert mcp.state("quitter").status == "running"
            os.kill(_pid_of(mcp.connection("quitter").stderr_tail()), signal.SIGTERM)  # type: ignore[union-attr]
            await asyncio.wait_for(failed.wait(), 10)  # no call is made: the death itself is noticed
            offered = any(t.name.startswith("mcp__quitter__") for t in mcp.tools())
            with pytest.raises(McpError) as later:
                await mcp.call_tool("quitter", "boom", {})
            restarted = await mcp.restart("quitter")
            return heard, mcp.state("time"), offered, str(later.value), restarted

    heard, other, offered, later, restarted = asyncio.run(scenario())
    failure = next(s for s in heard if s.name == "quitter" and s.status == "failed")
    assert "the MCP server 'quitter'" in failure.last_error and "while it was idle" in failure.last_error
    assert "hostile: told to leave" in failure.last_error, "its last stderr is quoted"
    assert not offered, "a dead server's tools are no longer offered"
    assert "'quitter' is not running" in later and "hostile: told to leave" in later
    assert other.status == "running", "the other server is unharmed"
    assert restarted.status == "running", restarted.last_error


def test_an_sse_server_that_goes_away_while_idle_is_reported_failed(workspace: Path) -> None:
    everything_entry()
    with everything_http_process("sse") as (url, process):
        write_user_servers({"remote": {"url": url, "type": "sse"}})

        async def scenario() -> ServerState:
            async with _manager(workspace) as mcp:
                failed = asyncio.Event()
                mcp.subscribe(lambda s: failed.set() if s.status == "failed" else None)
                (state,) = await mcp.start()
                assert state.status == "running", state.last_error
                os.killpg(process.pid, signal.SIGKILL)
                await asyncio.wait_for(failed.wait(), 10)
                return mcp.state("remote")

        state = asyncio.run(scenario())
    assert state.status == "failed" and f"the MCP server 'remote' ({url}) failed" in state.last_error
    assert "the connection ended" in state.last_error and "not MCP JSON-RPC" not in state.last_error
