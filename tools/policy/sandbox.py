"""The OS sandbox for commands: bubblewrap with a read-only root, a writable workspace and no network."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path
from typing import Literal

SandboxMode = Literal["off", "auto", "required"]
"""off: commands run unconfined; auto: in bubblewrap when it works here; required: refuse without it."""

SANDBOX_STRICTNESS: dict[SandboxMode, int] = {"off": 0, "auto": 1, "required": 2}
PROBE_TIMEOUT_S = 10.0


class SandboxUnavailable(RuntimeError):
    """The policy requires the sandbox and it cannot run here; the message says how to get it."""


def bwrap_argv(workspace: Path, bwrap: str = "bwrap") -> list[str]:
    """The argv prefix that runs a command under bubblewrap, confined to `workspace`.

    No `--new-session`: the sandboxed shell must stay in the process group the caller kills on
    timeout. `--unshare-pid` makes the sandbox's own init reap and kill everything left inside.
    """
    root = str(workspace)
    dot_git = workspace / ".git"
    # The user's repository stays read-only: commits go through the git_commit tool, outside the sandbox.
    protect_git = ["--ro-bind", str(dot_git), str(dot_git)] if dot_git.exists() else []
    return [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--bind", root, root,
        *protect_git,
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "--chdir", root,
        "--",
    ]  # fmt: skip


@functools.cache
def bwrap_problem() -> str | None:
    """None when bubblewrap can create its namespaces on this machine, else why not (checked once)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        probe = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--die-with-parent", "--", "/bin/true"],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"bubblewrap could not start: {error}"
    if probe.returncode != 0:
        detail = probe.stderr.strip() or f"exit code {probe.returncode}"
        return f"bubblewrap cannot create its namespaces here ({detail}); unprivileged user namespaces may be off"
    return None


def sandbox_prefix(mode: SandboxMode, workspace: Path) -> list[str] | None:
    """The argv prefix for commands under `mode`: None means run unconfined.

    Raises `SandboxUnavailable` when the mode is `required` and bubblewrap does not work here.
    """
    if mode == "off":
        return None
    problem = bwrap_problem()
    if problem is None:
        return bwrap_argv(workspace, shutil.which("bwrap") or "bwrap")
    if mode == "required":
        raise SandboxUnavailable(f"the policy requires the command sandbox, but {problem}")
    return None


def sandbox_context(mode: SandboxMode, workspace: Path) -> dict[str, object]:
    """Entries for `ToolContext.extra`: the argv prefix commands run under, or why they must not run."""
    try:
        prefix = sandbox_prefix(mode, workspace)
    except SandboxUnavailable as error:
        return {"sandbox_error": str(error)}
    return {"sandbox_argv": prefix} if prefix else {}
