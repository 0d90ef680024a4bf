"""The OS sandbox for commands (bubblewrap), on by default wherever it can run, and the containment in force.

`containment_for` decides once per session: bubblewrap when it works here (a trial run at start), or no
sandbox — because the user chose so (`--no-sandbox`, `[sandbox] mode = "off"`) or because none can run,
in which case every command asks a person (see docs/policy-and-checkpoints.md). What the sandbox shows
and hides is planned in tools/policy/sandbox_plan.py.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from tools.policy.sandbox_plan import SandboxPlan

SandboxMode = Literal["off", "auto", "required"]
"""off: commands run unconfined (the user's explicit choice); auto: in bubblewrap where it works, else every
command asks; required: commands are refused without it."""
EVERYTHING = "everything you can write"
"""What an unconfined command may write."""

SANDBOX_STRICTNESS: dict[SandboxMode, int] = {"off": 0, "auto": 1, "required": 2}
PROBE_TIMEOUT_S = 10.0
UNAVAILABLE_VARIABLE = "FLAMBEAU_SANDBOX_UNAVAILABLE"
"""Set (to anything but "" or "0") to behave as if bubblewrap could not run here: how tests prove the fallback."""


class SandboxUnavailable(RuntimeError):
    """The policy requires the sandbox and it cannot run here; the message says how to get it."""


def bwrap_problem() -> str | None:
    """None when bubblewrap can create its namespaces on this machine, else why not (probed once)."""
    if os.environ.get(UNAVAILABLE_VARIABLE, "") not in ("", "0"):
        return f"the sandbox is made unavailable by the environment variable {UNAVAILABLE_VARIABLE}"
    return _probe()


@functools.cache
def _probe() -> str | None:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        probe = subprocess.run(
            [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--", "true"],
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


@dataclass(frozen=True, kw_only=True)
class ContainmentFacts:
    """What holds commands in this session, as the `containment` event (agent/events.py) sends it too."""

    sandbox: Literal["bubblewrap", "none"] = "none"
    mode: SandboxMode = "auto"
    reason: str = ""
    """Why there is no sandbox (empty when there is one)."""
    chosen: bool = False
    """No sandbox because the user chose so (`--no-sandbox` or mode "off"), not because none can run."""
    commands_ask: bool = False
    """No sandbox could run and none was declined: every command asks a person, auto-all included."""
    network: Literal["blocked", "open"] = "open"
    writable: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Containment(ContainmentFacts):
    """Shown at start (CLI banner, `containment` event, the panel) and recorded in the trace header, so
    whoever verifies knows what the evidence is worth."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line for the banner."""
        if self.sandbox == "bubblewrap":
            return (
                f"sandbox: bubblewrap · network {self.network} (a command may ask for it) · writable: "
                f"{', '.join(self.writable)} · read-only: the rest · hidden: {len(self.hidden)} places"
            )
        if self.chosen:
            return f"sandbox: OFF ({self.reason}) · commands run unconfined under the approval mode · network open"
        if self.commands_ask:
            return f"sandbox: NONE ({self.reason}) · every command asks a person, even under auto-all"
        return f"sandbox: NONE ({self.reason}) · commands are refused"


@dataclass
class SessionSandbox:
    """The session's decision: the containment, and the plan commands run under (None: unconfined)."""

    containment: Containment
    plan: SandboxPlan | None = None
    error: str | None = None
    """Commands must not run at all (the policy requires a sandbox that cannot run)."""

    def context(self) -> dict[str, object]:
        """Entries for `ToolContext.extra` read by run_command."""
        if self.error:
            return {"sandbox_error": self.error}
        return {"sandbox": self.plan} if self.plan is not None else {}


def containment_for(mode: SandboxMode, workspace: Path, hidden_globs: list[str] | None = None) -> SessionSandbox:
    """Decide the session's sandbox under `mode` ("off" only when the user chose it)."""
    if mode == "off":
        reason = "turned off by the user (--no-sandbox or [sandbox] mode = \"off\")"
        unconfined = Containment(sandbox="none", mode=mode, reason=reason, chosen=True, writable=[EVERYTHING])
        return SessionSandbox(unconfined)
    problem = bwrap_problem()
    if problem is None:
        plan = SandboxPlan.for_workspace(workspace, shutil.which("bwrap") or "bwrap", hidden_globs or [])
        containment = Containment(
            sandbox="bubblewrap",
            mode=mode,
            network="blocked",
            writable=plan.writable(),
            read_only=plan.read_only(),
            hidden=plan.hidden(),
        )
        return SessionSandbox(containment, plan)
    if mode == "required":
        error = f"the policy requires the command sandbox, but {problem}"
        return SessionSandbox(Containment(sandbox="none", mode=mode, reason=problem), error=error)
    asking = Containment(sandbox="none", mode=mode, reason=problem, commands_ask=True, writable=[EVERYTHING])
    return SessionSandbox(asking)
