"""`flambeau mcp list | test | trust | untrust` against real servers (mcp-server-time over stdio): what
each prints, its exit code, and that a workspace's untrusted server is listed as such and not started by
`test` until it is trusted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import CliResult, run_cli
from tests.mcp_config import write_user_servers, write_workspace_servers
from tests.mcp_servers import time_stdio


def _mcp(workspace: Path, *args: str) -> CliResult:
    return run_cli("mcp", *args, "--workspace", str(workspace))


def _telltale_time_server(proof: Path) -> dict[str, object]:
    """mcp-server-time, which first leaves a file: if it ever starts, the file exists."""
    code = (
        f"open({str(proof)!r}, 'w').write('ran'); import runpy, sys; "
        "sys.argv = ['mcp-server-time', '--local-timezone', 'UTC']; "
        "runpy.run_module('mcp_server_time', run_name='__main__')"
    )
    return {"command": sys.executable, "args": ["-c", code]}


def test_list_test_trust_and_untrust(workspace: Path, tmp_path: Path) -> None:
    proof = tmp_path / "started"
    write_user_servers({"time": time_stdio()})
    write_workspace_servers(workspace, {"wtime": _telltale_time_server(proof)})

    listed = _mcp(workspace, "list")
    assert listed.code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(line.split()[:5] == ["time", "user", "stdio", "local", "may"] for line in lines), listed.stdout
    wtime = next(line for line in lines if line.startswith("wtime"))
    assert "workspace" in wtime and "NOT TRUSTED: will not start" in wtime
    assert "flambeau mcp trust NAME" in listed.stdout
    as_json = json.loads(_mcp(workspace, "list", "--json").stdout)
    assert {s["name"]: s["status"] for s in as_json["servers"]} == {"time": "stopped", "wtime": "untrusted"}

    every = _mcp(workspace, "test")
    assert every.code == 1, "a server that could not be tested fails the command"
    assert "✓ time: mcp-time" in every.stdout and "2 tool(s)" in every.stdout
    assert "    mcp__time__get_current_time" in every.stdout
    assert "✗ wtime: not trusted, so not started; run 'flambeau mcp trust wtime' first" in every.stdout
    assert _mcp(workspace, "test", "wtime").code == 1
    assert not proof.exists(), "test never starts an untrusted server"

    trusted = _mcp(workspace, "trust", "wtime")
    assert trusted.code == 0 and f"runs:  {sys.executable} -c" in trusted.stdout
    assert f"in:    {workspace.resolve()}" in trusted.stdout and "outside the sandbox" in trusted.stdout
    assert "may start" in next(ln for ln in _mcp(workspace, "list").stdout.splitlines() if ln.startswith("wtime"))
    started = _mcp(workspace, "test", "wtime")
    assert started.code == 0 and "✓ wtime: mcp-time" in started.stdout, started.stdout
    assert proof.exists()
    proof.unlink()

    assert _mcp(workspace, "trust", "time").stdout.startswith("'time' is declared in your own")
    untrusted = _mcp(workspace, "untrust", "wtime")
    assert untrusted.code == 0 and "'wtime' is no longer trusted" in untrusted.stdout
    assert _mcp(workspace, "untrust", "wtime").stdout.startswith("'wtime' was not trusted")
    again = _mcp(workspace, "test", "wtime")
    assert again.code == 1 and "not trusted, so not started" in again.stdout and not proof.exists()


def test_errors_exit_2_naming_the_fix(workspace: Path) -> None:
    write_user_servers({"time": time_stdio()})
    unknown = _mcp(workspace, "test", "nosuch")
    assert unknown.code == 2 and "no MCP server is named 'nosuch' (declared: time)" in unknown.stderr
    (workspace / ".mcp.json").write_text("{not json")
    broken = _mcp(workspace, "list")
    assert broken.code == 2 and ".mcp.json is not valid JSON" in broken.stderr
    nowhere = run_cli("mcp", "list", "--workspace", str(workspace / "missing"))
    assert nowhere.code == 2 and "is not a directory" in nowhere.stderr


def test_no_servers_declared_says_how_to_add_one(workspace: Path) -> None:
    listed = _mcp(workspace, "list")
    assert listed.code == 0 and "no MCP servers declared" in listed.stdout and "mcpServers" in listed.stdout
