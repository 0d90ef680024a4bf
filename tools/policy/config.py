"""Policy files: the user's (`~/.config/flambeau/policy.toml`) and a workspace's (`.flambeau/policy.toml`).

Both have the same shape; every table is optional::

    [modes]                  # per tool category: "allow", "ask" or "deny"
    command = "ask"
    git = "deny"

    [commands]               # patterns, see tools/policy/command_rules.py
    allow = ["pytest *", "npm test"]
    ask = ["make deploy *"]
    deny = ["terraform destroy"]

    [mcp]                    # MCP servers' tools: "server" or "server/tool", see tools/policy/mcp_rules.py
    allow = ["time"]         # honoured in the user's file only: a workspace cannot allow itself a tool
    deny = ["filesystem/write_file"]

    [sandbox]
    mode = "auto"            # "auto" (default: bubblewrap where it works, else every command asks),
                             # "required" (commands refused without it) or "off" (unconfined, your choice)

    [paths]
    protected = [".env", "secrets/"]   # may be read, never written

A workspace file can only make the session stricter: its modes and rules are combined with the
user's by taking the stricter decision, its sandbox mode can raise and not lower the user's, and its
protected paths are added. A cloned repository cannot grant itself auto-approval.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.base import Category
from tools.policy.command_rules import PatternError, parse_patterns
from tools.policy.evaluate import Action, LayerKind, Policy, PolicyLayer
from tools.policy.mcp_rules import McpRuleError, parse_mcp_rules
from tools.policy.sandbox import SANDBOX_STRICTNESS, SandboxMode

WORKSPACE_POLICY = Path(".flambeau") / "policy.toml"


class PolicyConfigError(ValueError):
    """A policy file cannot be used; the message names the file and what to fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Modes(_Strict):
    read: Action | None = None
    edit: Action | None = None
    command: Action | None = None
    git: Action | None = None
    mcp: Action | None = None


class _Commands(_Strict):
    allow: list[str] = Field(default_factory=list)
    ask: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)


class _Mcp(_Strict):
    allow: list[str] = Field(default_factory=list)
    ask: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)


class _Sandbox(_Strict):
    mode: Literal["off", "auto", "required"] = "auto"


class _Paths(_Strict):
    protected: list[str] = Field(default_factory=list)


class PolicyFile(_Strict):
    modes: _Modes = Field(default_factory=_Modes)
    commands: _Commands = Field(default_factory=_Commands)
    mcp: _Mcp = Field(default_factory=_Mcp)
    sandbox: _Sandbox | None = None
    paths: _Paths = Field(default_factory=_Paths)


def user_policy_path() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "flambeau" / "policy.toml"


def read_policy_file(path: Path) -> PolicyFile | None:
    """The parsed file, or None when it does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise PolicyConfigError(f"cannot read the policy file {path}: {error}") from error
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        return PolicyFile.model_validate(data)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PolicyConfigError(f"the policy file {path} is not valid TOML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise PolicyConfigError(f"the policy file {path} has unknown or wrong entries: {problems}") from error


def layer_from_file(config: PolicyFile, kind: LayerKind, source: str) -> PolicyLayer:
    modes = {Category(name): action for name, action in config.modes.model_dump().items() if action is not None}
    try:
        return PolicyLayer(
            kind=kind,
            source=source,
            modes=modes,
            allow=parse_patterns(config.commands.allow),
            ask=parse_patterns(config.commands.ask),
            deny=parse_patterns(config.commands.deny),
            mcp_allow=parse_mcp_rules(config.mcp.allow),
            mcp_ask=parse_mcp_rules(config.mcp.ask),
            mcp_deny=parse_mcp_rules(config.mcp.deny),
        )
    except (PatternError, McpRuleError) as error:
        raise PolicyConfigError(f"{source}: {error}") from error


def load_policy(
    approval_mode: str,
    workspace: Path,
    *,
    plan_mode: bool = False,
    user_config: Path | None = None,
    no_sandbox: bool = False,
) -> Policy:
    """The session's policy: the approval mode, then the user's file, then the workspace's file.
    `no_sandbox` (`--no-sandbox`) sets the user's sandbox mode to "off"; a workspace file can still raise it."""
    policy = Policy.preset(approval_mode)
    policy.plan_mode = plan_mode
    sandbox: SandboxMode = "off" if no_sandbox else "auto"
    policy.workspace = workspace
    sources = [
        ("user", user_config or user_policy_path()),
        ("workspace", workspace / WORKSPACE_POLICY),
    ]
    for kind, path in sources:
        config = read_policy_file(path)
        if config is None:
            continue
        label = f"{'your' if kind == 'user' else 'the workspace'} policy {path}"
        policy.layers.append(layer_from_file(config, "user" if kind == "user" else "workspace", label))
        if config.sandbox is not None:
            wanted: SandboxMode = config.sandbox.mode
            # The user's file sets the mode (unless --no-sandbox did); the workspace's can only raise it.
            raises = SANDBOX_STRICTNESS[wanted] > SANDBOX_STRICTNESS[sandbox]
            if (kind == "user" and not no_sandbox) or (kind == "workspace" and raises):
                sandbox = wanted
        policy.protected_paths.extend(config.paths.protected)
    policy.sandbox = sandbox
    return policy
