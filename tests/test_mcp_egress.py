"""Egress for MCP servers, like for models: a remote server is local or cloud by its endpoint (or by its
entry's `"locality": "cloud"`, for a loopback tunnel); `--local-only` refuses a cloud one before any
connection is attempted, while a loopback one still works; never-to-cloud content is not sent in the
arguments of a call to a cloud server. No test reaches beyond 127.0.0.1: a non-loopback address is
guarded by an audit hook that blocks (and records) any connection to it."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.mcp import McpConfigError, McpManager
from agent.mcp.config import read_mcp_file
from agent.mcp.egress import locality_of
from tests.conftest import run_cli, run_scripted_cli
from tests.mcp_config import write_user_servers
from tests.mcp_recording_server import entries, recording_http
from tests.mcp_servers import everything_entry, everything_http
from tests.scripted_server import ScriptedModelServer, call

UNROUTED = "203.0.113.7"
"""TEST-NET-3 (RFC 5737): documentation only; the audit hook below refuses to connect there anyway."""
PLAN_CANARY = "CANARY-never-to-cloud-launch-plan-5be21d"

_connects: list[Any] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _connects is not None:
        address = args[1]
        _connects.append(address)
        if isinstance(address, tuple) and str(address[0]).startswith("203.0.113."):
            raise PermissionError("the tests never connect beyond this machine")


sys.addaudithook(_audit)


@pytest.fixture
def connects() -> Iterator[list[Any]]:
    """Every address this process connects a socket to while the test runs."""
    global _connects
    _connects = []
    try:
        yield _connects
    finally:
        _connects = None


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on 127.0.0.1 that accepts nothing: any connection attempt waits in its backlog."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        sock.setblocking(False)
        yield sock


def _was_reached(listener: socket.socket) -> bool:
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def _url(listener: socket.socket) -> str:
    return f"http://127.0.0.1:{listener.getsockname()[1]}/mcp"


def _server(url: str, **extra: Any) -> Any:
    path = Path(os.environ["HOME"]) / "entry.json"
    path.write_text(__import__("json").dumps({"mcpServers": {"s": {"url": url, **extra}}}))
    return read_mcp_file(path, "user")["s"]


def test_locality_is_by_endpoint_and_a_declaration_can_only_add_caution() -> None:
    assert locality_of(_server("http://127.0.0.1:9/mcp")) == "local"
    assert locality_of(_server("http://localhost:9/mcp")) == "local"
    assert locality_of(_server("http://[::1]:9/mcp")) == "local"
    assert locality_of(_server(f"http://{UNROUTED}/mcp")) == "cloud"
    assert locality_of(_server("https://mcp.example.com/mcp")) == "cloud"
    assert locality_of(_server("http://127.0.0.1:9/mcp", locality="cloud")) == "cloud"
    assert locality_of(_server("https://mcp.example.com/mcp", locality="local")) == "cloud", "never lowered"
    path = Path(os.environ["HOME"]) / "stdio.json"
    path.write_text('{"mcpServers": {"s": {"command": "x", "locality": "cloud"}}}')
    with pytest.raises(McpConfigError, match='"locality" is for a server reached by "url"'):
        read_mcp_file(path, "user")


def test_local_only_refuses_a_cloud_server_before_connecting_and_a_loopback_server_still_works(
    model_server: ScriptedModelServer, workspace: Path, listener: socket.socket
) -> None:
    everything_entry()
    with everything_http() as every_url:
        write_user_servers({"remote": {"url": _url(listener), "locality": "cloud"}, "every": {"url": every_url}})
        model_server.add(call("mcp__every__echo", message="still here"), call("attempt_completion", result="ok"))
        run = run_scripted_cli(model_server, workspace, "--local-only", "--approve", "auto-all", "--json", "echo")
        assert run.code == 0, run.stderr
        listed = run_cli("mcp", "list", "--workspace", str(workspace), "--local-only")
    assert not _was_reached(listener), "nothing connected to the cloud server"

    notices = [e["message"] for e in run.events() if e["type"] == "model_notice"]
    assert any("'remote' is a cloud server" in n and "local-only mode is on" in n for n in notices), notices
    offered = [t["function"]["name"] for t in model_server.chat_requests[0].body["tools"]]
    assert "mcp__every__echo" in offered and not any(n.startswith("mcp__remote__") for n in offered)
    echo = next(e for e in run.events() if e["type"] == "tool_result" and e["tool"] == "mcp__every__echo")
    assert echo["ok"] and echo["output"] == "Echo: still here", "the loopback server works under local-only"
    assert listed.code == 0 and "refused here" in listed.stdout and "was not connected to" in listed.stdout

    # The listener does see an attempt when one is made: the check above cannot pass by accident.
    tried = run_cli("mcp", "test", "remote", "--workspace", str(workspace), "--timeout", "2")
    assert tried.code == 1 and "'remote'" in tried.stdout
    assert _was_reached(listener)


def test_a_cloud_address_under_local_only_is_refused_with_no_socket_opened_to_it(
    workspace: Path, connects: list[Any], listener: socket.socket
) -> None:
    write_user_servers({"far": {"url": f"http://{UNROUTED}:8080/mcp"}})

    async def start(local_only: bool) -> Any:
        async with McpManager(workspace, local_only=local_only, start_timeout_s=3) as mcp:
            (state,) = await mcp.start()
            return state

    refused = asyncio.run(start(True))
    assert refused.status == "refused" and refused.locality == "cloud"
    assert f"'far' is a cloud server (http://{UNROUTED}:8080/mcp)" in refused.last_error
    assert "it was not connected to" in refused.last_error
    assert not [a for a in connects if isinstance(a, tuple) and a[0] == UNROUTED]

    # Without local-only the same start does try to connect (and the hook blocks it): the hook sees it.
    tried = asyncio.run(start(False))
    assert tried.status == "failed" and "'far'" in tried.last_error
    assert [a for a in connects if isinstance(a, tuple) and a[0] == UNROUTED]


def _models_config(text: str) -> None:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "models.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_never_to_cloud_content_is_not_sent_to_a_cloud_server(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    _models_config('never_to_cloud = ["secret/**"]\n')
    (workspace / "secret").mkdir()
    (workspace / "secret" / "plan.txt").write_text(f"launch plan: {PLAN_CANARY}\n")
    log = tmp_path / "received.jsonl"
    with recording_http(log) as url:
        write_user_servers({"cloudy": {"url": url, "locality": "cloud"}, "nearby": {"url": url}})
        model_server.add(
            call("mcp__cloudy__note", text=f"launch plan: {PLAN_CANARY}"),
            call("mcp__cloudy__note", text="see the file", path="secret/plan.txt"),
            call("mcp__cloudy__note", text="a harmless note"),
            call("mcp__nearby__note", text=f"launch plan: {PLAN_CANARY}"),
            call("attempt_completion", result="done"),
        )
        run = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--json", "take notes")
    assert run.code == 0, run.stderr

    received = [e["arguments"]["text"] for e in entries(log) if e.get("tool") == "note"]
    assert received == ["a harmless note", f"launch plan: {PLAN_CANARY}"], "only the local server got the plan"
    results = [e for e in run.events() if e["type"] == "tool_result" and e["tool"].endswith("__note")]
    for refused in results[:2]:
        assert not refused["ok"] and "not sent to the cloud MCP server 'cloudy'" in refused["output"]
        assert "never-to-cloud" in refused["output"] and refused["data"]["mcp"]["refused"] is True
    assert [r["ok"] for r in results[2:]] == [True, True]
    assert all(r["data"]["mcp"]["locality"] == "cloud" for r in results[:3])
    who = results[2]["data"]["mcp"]
    assert who["name"] == "cloudy" and who["transport"] == "http" and who["url"] == url
    assert who["server_info"] == {"name": "recorder", "version": "1.0.0"}
    assert results[3]["data"]["mcp"]["locality"] == "local"


def test_the_argument_guard_finds_a_protected_line_anywhere_in_the_arguments(workspace: Path) -> None:
    from agent.mcp.egress import ArgumentGuard

    (workspace / "secret").mkdir()
    (workspace / "secret" / "plan.txt").write_text(f"launch plan: {PLAN_CANARY}\n")
    guard = ArgumentGuard(workspace, ["secret/**"], {"sk-stored-key-0b7c2e91f4d3a856"})
    cloud = _server("http://127.0.0.1:9/mcp", locality="cloud")
    inside = {"notes": [{"body": f"as planned (launch plan: {PLAN_CANARY}) tomorrow"}]}
    assert "never-to-cloud" in (guard.refusal(cloud, "note", inside) or "")
    assert "contain a secret" in (guard.refusal(cloud, "note", {"text": "key sk-stored-key-0b7c2e91f4d3a856"}) or "")
    assert guard.refusal(cloud, "note", {"text": "nothing to hide", "count": 3}) is None
    assert guard.refusal(_server("http://127.0.0.1:9/mcp"), "note", inside) is None, "a local server may see it"
