"""Tests that need bubblewrap: they skip only where it truly cannot run, and never in CI (which installs it),
where its absence fails them with the reason instead."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tools.base import ToolContext, ToolResult
from tools.policy.sandbox import _probe, containment_for
from tools.shell import RunCommand, RunCommandArgs
from tools.workspace.jail import Workspace


def bwrap_or_skip() -> None:
    """Skip the calling test where bubblewrap cannot run; in CI, fail it with the reason."""
    problem = _probe()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI installs bubblewrap (scripts/system-packages), but it cannot run: {problem}")
    pytest.skip(f"no working sandbox on this machine: {problem}")


def sandboxed(workspace: Path, command: str, *, network: bool = False, hidden: list[str] | None = None) -> ToolResult:
    """`command` through run_command, in the session sandbox a default session would build for `workspace`."""
    sandbox = containment_for("auto", workspace, hidden or [])
    assert sandbox.plan is not None, sandbox.containment.reason
    ctx = ToolContext(workspace=Workspace(workspace), extra=sandbox.context())
    return asyncio.run(RunCommand().run(RunCommandArgs(command=command, timeout=60, network=network), ctx))


def unconfined(workspace: Path, command: str) -> ToolResult:
    ctx = ToolContext(workspace=Workspace(workspace))
    return asyncio.run(RunCommand().run(RunCommandArgs(command=command, timeout=60), ctx))
