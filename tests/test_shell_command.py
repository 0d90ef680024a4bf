"""run_command: the whole process tree dies on timeout, output is capped, secrets never reach `env`."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from agent.secret_store import set_secret
from tests.processes import live_group_members, wait_until
from tools.base import ToolContext, ToolResult
from tools.shell import RunCommand, RunCommandArgs
from tools.workspace.jail import Workspace
from tools.workspace.secrets import secret_values_from_env


def _run(ctx: ToolContext, command: str, timeout: float | None = None) -> ToolResult:
    return asyncio.run(RunCommand().run(RunCommandArgs(command=command, timeout=timeout), ctx))


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return not live_group_members(pgid)


def test_timeout_kills_background_children_and_returns_in_about_the_timeout(workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace))
    started = time.monotonic()
    result = _run(ctx, "sleep 100 & sleep 100; wait", timeout=1)
    elapsed = time.monotonic() - started
    assert result.data["timed_out"] is True and not result.ok
    assert 0.9 <= elapsed < 3.0, elapsed
    assert "killed after the 1s timeout" in result.output
    pgid = result.data["process_group"]
    assert wait_until(lambda: _group_gone(pgid), timeout=5), f"alive in group {pgid}: {live_group_members(pgid)}"


def test_background_child_does_not_outlive_a_finished_command(workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace))
    result = _run(ctx, "sleep 100 & echo started", timeout=30)
    assert result.ok and "started" in result.output
    assert result.data["duration_s"] < 10
    assert wait_until(lambda: _group_gone(result.data["process_group"]), timeout=5)


def test_fifty_megabytes_of_output_are_capped_without_blocking_the_command(workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), max_output_bytes=64_000)
    size = 50 * 1024 * 1024
    result = _run(ctx, f"head -c {size} /dev/zero | tr '\\0' x; echo; echo the-end", timeout=120)
    assert result.ok and result.data["exit_code"] == 0 and not result.data["timed_out"]
    assert result.data["output_bytes"] == size + len("\nthe-end\n")
    assert len(result.output) < 66_000
    assert result.output.startswith("xxxx")
    assert "the-end" in result.output
    assert f"bytes cut from the middle of {size + 9:,} bytes" in result.output


def test_secrets_from_the_environment_and_the_keyring_are_not_visible_to_env(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.secret_store import all_secret_values

    monkeypatch.setenv("OPENAI_API_KEY", "sk-envsecret-0123456789abcdefghij")
    monkeypatch.setenv("DEPLOY_TOKEN", "tok-deploy-secret-value")
    set_secret("anthropic", "kr-keyring-held-secret-42")
    # A harmless-looking variable that happens to carry the keyring value is dropped too.
    monkeypatch.setenv("SOME_SETTING", "prefix-kr-keyring-held-secret-42")
    monkeypatch.setenv("FLAMBEAU_VISIBLE_MARKER", "plain-value")
    ctx = ToolContext(
        workspace=Workspace(workspace), scrubbed_values=secret_values_from_env(os.environ) | all_secret_values()
    )
    result = _run(ctx, "env; echo echoed=$DEPLOY_TOKEN")
    assert result.ok
    assert "FLAMBEAU_VISIBLE_MARKER=plain-value" in result.output
    for leaked in ("sk-envsecret", "tok-deploy-secret-value", "kr-keyring-held-secret-42", "OPENAI_API_KEY"):
        assert leaked not in result.output
    assert "SOME_SETTING" not in result.output
    assert "echoed=\n" in result.output


def test_secret_printed_by_a_command_is_redacted_from_its_output(workspace: Path) -> None:
    (workspace / "config.txt").write_text("key=kr-keyring-held-secret-42\n")
    ctx = ToolContext(workspace=Workspace(workspace), scrubbed_values={"kr-keyring-held-secret-42"})
    result = _run(ctx, "cat config.txt")
    assert "kr-keyring-held-secret-42" not in result.output and "key=[REDACTED]" in result.output


def test_missing_required_sandbox_refuses_the_command(workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), extra={"sandbox_error": "the sandbox is required"})
    marker = workspace / "ran"
    with pytest.raises(Exception, match="not run: the sandbox is required"):
        _run(ctx, f"touch {marker}")
    assert not marker.exists()


def test_cancelling_a_running_command_kills_its_whole_group(workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace))
    marker = workspace / "started"
    seen_running: list[int] = []

    async def start_then_cancel() -> None:
        command = f"sleep 100 & sleep 100 & touch {marker}; wait"
        task = asyncio.ensure_future(RunCommand().run(RunCommandArgs(command=command), ctx))
        while not marker.exists():
            await asyncio.sleep(0.01)
        seen_running.extend(_live_sleepers_in(workspace))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(start_then_cancel())
    assert time.monotonic() - started < 10
    assert len(seen_running) == 2
    assert wait_until(lambda: not _live_sleepers_in(workspace), timeout=5), _live_sleepers_in(workspace)


def _live_sleepers_in(workspace: Path) -> list[int]:
    """Running `sleep 100` processes whose working folder is the workspace (zombies have none)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if entry.read_bytes() == b"sleep\x00100\x00" and (entry.parent / "cwd").resolve() == workspace.resolve():
                found.append(int(entry.parent.name))
        except OSError:
            continue
    return found
