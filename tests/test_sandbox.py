"""Commands in the bubblewrap sandbox: the workspace is writable, the rest is read-only, no network."""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandboxing import bwrap_or_skip, sandboxed, unconfined
from tools.shell import RunCommand, RunCommandArgs

_sandboxed = sandboxed


@pytest.fixture(autouse=True)
def _needs_bwrap() -> None:
    bwrap_or_skip()


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on the host's loopback, reachable from outside the sandbox."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_commands_in_the_sandbox_can_write_the_workspace(workspace: Path) -> None:
    result = _sandboxed(workspace, "echo built > out.txt && cat out.txt")
    assert result.ok, result.output
    assert (workspace / "out.txt").read_text() == "built\n"


@pytest.mark.parametrize("folder", ["/etc", "/usr/local", "/opt"])
def test_a_write_outside_the_workspace_fails_and_changes_nothing(workspace: Path, folder: str) -> None:
    target = Path(folder) / f"flambeau-sandbox-{uuid.uuid4().hex}"
    result = _sandboxed(workspace, f"echo escaped > {shlex.quote(str(target))}")
    assert not result.ok
    assert "Read-only file system" in result.output
    assert not target.exists()


@pytest.mark.parametrize("where", ["next to the workspace", "/var/tmp", "the home folder", "/root"])
def test_temporary_and_home_files_stay_inside_the_sandbox(workspace: Path, where: str) -> None:
    # /tmp, /var/tmp and the home folders are private tmpfs in the sandbox: writes work and vanish.
    folders = {"next to the workspace": workspace.parent, "the home folder": Path.home()}
    target = folders.get(where, Path(where)) / f"flambeau-sandbox-{uuid.uuid4().hex}"
    result = _sandboxed(workspace, f"echo scratch > {shlex.quote(str(target))} && cat {shlex.quote(str(target))}")
    assert result.ok and "scratch" in result.output, result.output
    assert not target.exists()


def test_a_network_connection_fails_in_the_sandbox(workspace: Path, listener: int) -> None:
    probe = f"import socket; socket.create_connection(('127.0.0.1', {listener}), timeout=5); print('connected')"
    # The base interpreter: the sandbox's private /tmp would hide a virtualenv cloned under /tmp.
    command = f"{shlex.quote(os.path.realpath(sys.executable))} -c {shlex.quote(probe)}"
    control = unconfined(workspace, command)
    assert control.ok and "connected" in control.output, control.output
    result = _sandboxed(workspace, command)
    assert not result.ok
    assert "connected" not in result.output
    assert "Network is unreachable" in result.output or "Connection refused" in result.output


def test_the_users_git_folder_is_read_only_in_the_sandbox(workspace: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    config_before = (workspace / ".git" / "config").read_bytes()
    result = _sandboxed(workspace, "echo hacked >> .git/config; touch .git/hooks/pre-commit; echo done > ok.txt")
    assert "Read-only file system" in result.output
    assert (workspace / ".git" / "config").read_bytes() == config_before
    assert not (workspace / ".git" / "hooks" / "pre-commit").exists()
    assert (workspace / "ok.txt").read_text() == "done\n"


def test_a_sandbox_policy_reaches_the_session(workspace: Path) -> None:
    from agent.approval import ApproveAll
    from agent.models.profile import ModelProfile
    from agent.runner import TaskSpec, build_session
    from tools.policy.config import user_policy_path

    user_policy_path().parent.mkdir(parents=True, exist_ok=True)
    user_policy_path().write_text('[sandbox]\nmode = "required"\n')
    profile = ModelProfile(name="scripted", model="openai/scripted", api_base="http://127.0.0.1:9")
    spec = TaskSpec(task="t", workspace=workspace, profile=profile, trace=False)
    session = build_session(spec, ApproveAll(), lambda event: None)
    assert session.ctx.extra["sandbox"].bwrap.endswith("bwrap")
    result = asyncio.run(RunCommand().run(RunCommandArgs(command="touch /etc/flambeau-probe"), session.ctx))
    assert not result.ok and not Path("/etc/flambeau-probe").exists()
