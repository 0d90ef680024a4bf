"""When a tool call may run: per-category modes, command rules per segment, deny wins, the model can
only add caution, and a workspace's own config can only make things stricter."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tools.base import Category
from tools.policy.command_effects import findings
from tools.policy.command_line import CommandLine, parse_command_line
from tools.policy.command_rules import DEFAULT_ASK, DEFAULT_DENY, CommandPattern, parse_patterns
from tools.policy.mcp_rules import McpRule, McpTarget, target_of
from tools.policy.places import Places
from tools.policy.sandbox import SandboxMode

Action = Literal["allow", "ask", "deny"]
STRICTNESS: dict[Action, int] = {"allow": 0, "ask": 1, "deny": 2}
LayerKind = Literal["user", "workspace"]


@dataclass(frozen=True)
class Verdict:
    action: Action
    rule: str
    """Which rule decided, in words a reviewer can read."""
    firm: bool = False
    """An "ask" that auto-all does not answer: a person must (docs/policy-and-checkpoints.md)."""


def stricter(a: Verdict, b: Verdict) -> Verdict:
    return a if (STRICTNESS[a.action], a.firm) >= (STRICTNESS[b.action], b.firm) else b


APPROVAL_PRESETS: dict[str, dict[Category, Action]] = {
    "ask": {Category.READ: "allow", Category.EDIT: "ask", Category.COMMAND: "ask", Category.GIT: "ask",
            Category.MCP: "ask"},
    "auto-edit": {Category.READ: "allow", Category.EDIT: "allow", Category.COMMAND: "ask", Category.GIT: "ask",
                  Category.MCP: "ask"},
    "auto-all": {Category.READ: "allow", Category.EDIT: "allow", Category.COMMAND: "allow", Category.GIT: "allow",
                 Category.MCP: "allow"},
}  # fmt: skip


@dataclass
class PolicyLayer:
    """The rules of one config file (the user's, or the workspace's own)."""

    kind: LayerKind
    source: str
    """Where the rules came from, quoted in verdicts (e.g. the file path)."""
    modes: dict[Category, Action] = field(default_factory=dict)
    allow: list[CommandPattern] = field(default_factory=list)
    ask: list[CommandPattern] = field(default_factory=list)
    deny: list[CommandPattern] = field(default_factory=list)
    mcp_allow: list[McpRule] = field(default_factory=list)
    mcp_ask: list[McpRule] = field(default_factory=list)
    mcp_deny: list[McpRule] = field(default_factory=list)


@dataclass
class Policy:
    modes: dict[Category, Action] = field(default_factory=lambda: dict(APPROVAL_PRESETS["ask"]))
    """The approval mode the user chose for this session (`--approve`)."""
    plan_mode: bool = False
    """Plan mode: only reading tools execute."""
    layers: list[PolicyLayer] = field(default_factory=list)
    sandbox: SandboxMode = "auto"
    unconfined: str | None = None
    """Why commands run without a sandbox the user did not decline: then every command is a firm question."""
    workspace: Path | None = None
    """Where commands run: relative paths in a command line are judged from here (default: this process's folder)."""
    protected_paths: list[str] = field(default_factory=list)
    builtin: PolicyLayer = field(
        default_factory=lambda: PolicyLayer(
            kind="user", source="built-in rules", ask=parse_patterns(list(DEFAULT_ASK)),
            deny=parse_patterns(list(DEFAULT_DENY)),
        )
    )  # fmt: skip

    @classmethod
    def preset(cls, name: str) -> Policy:
        if name not in APPROVAL_PRESETS:
            raise ValueError(f"unknown approval mode {name!r}; use one of {', '.join(APPROVAL_PRESETS)}")
        return cls(modes=dict(APPROVAL_PRESETS[name]))

    def evaluate(self, tool: str, category: Category, arguments: dict[str, Any]) -> Verdict:
        if category is Category.META:
            return Verdict("allow", "completion needs no approval")
        refusal = self.refusal_at_execution(category)
        if refusal is not None:
            return Verdict("deny", refusal)
        command = arguments.get("command") if category is Category.COMMAND else None
        line = parse_command_line(command, cwd=self._root()) if isinstance(command, str) else None
        mcp = target_of(tool, arguments) if category is Category.MCP else None
        verdict = self._layer_verdict(None, category, line, mcp)
        for layer in self.layers:
            verdict = stricter(verdict, self._layer_verdict(layer, category, line, mcp))
        if line is not None:
            verdict = stricter(verdict, self._command_caution(line))
        if mcp is not None:
            verdict = stricter(verdict, self._mcp_caution(mcp))
        if category is Category.COMMAND:
            verdict = stricter(verdict, self._containment_caution(arguments))
        if arguments.get("requires_approval") is True:
            verdict = stricter(verdict, Verdict("ask", "the model asked for approval"))
        return verdict

    def refusal_at_execution(self, category: Category) -> str | None:
        """Why a tool of `category` must not run now, checked where tools execute (not only when deciding)."""
        if self.plan_mode and category not in (Category.READ, Category.META):
            return f"plan mode: {category.value} tools do not run until plan mode is turned off"
        return None

    def _containment_caution(self, arguments: dict[str, Any]) -> Verdict:
        """Firm questions for what no sandbox holds: any command where none can run, and network access."""
        if self.unconfined is not None:
            why = f"no sandbox can run here ({self.unconfined}), so every command asks a person"
            return Verdict("ask", why + "; pass --no-sandbox to run commands unconfined under the approval mode", True)
        if arguments.get("network") is True:
            return Verdict("ask", "the command asks for network access, which the sandbox otherwise blocks", True)
        return Verdict("allow", "the sandbox holds the command")

    def _root(self) -> str:
        return str(self.workspace) if self.workspace is not None else os.getcwd()

    def _layer_verdict(
        self, layer: PolicyLayer | None, category: Category, line: CommandLine | None, mcp: McpTarget | None = None
    ) -> Verdict:
        """One layer's view. The session's mode seeds the user's view; a workspace layer has no say unless it
        names a mode, so combining views with `stricter` means a workspace can tighten and never loosen."""
        if layer is None:
            mode = self.modes.get(category, "ask")
            verdict = Verdict(mode, f"{category.value} tools: {mode}")
            allow = [p for lay in self.layers if lay.kind == "user" for p in lay.allow]
            mcp_allow = [r for lay in self.layers if lay.kind == "user" for r in lay.mcp_allow]
            source = "the user's allow rules"
        else:
            if category not in layer.modes:
                return Verdict("allow", f"{layer.source} has no rule for {category.value} tools")
            mode = layer.modes[category]
            verdict = Verdict(mode, f"{category.value} tools: {mode} ({layer.source})")
            allow, mcp_allow, source = layer.allow, layer.mcp_allow, layer.source
        if verdict.action == "ask" and line is not None and _all_allowed(line, allow):
            return Verdict("allow", f"every command in the line is allowed by {source}")
        if verdict.action == "ask" and mcp is not None:
            for rule in mcp_allow:
                if rule.matches(mcp):
                    return Verdict("allow", f"the MCP rule allow `{rule.source}` ({source})")
        return verdict

    def _mcp_caution(self, target: McpTarget) -> Verdict:
        """Deny rules, then ask rules, of every layer, for a call to an MCP server; deny wins."""
        for kind in ("deny", "ask"):
            for layer in self.layers:
                for rule in layer.mcp_deny if kind == "deny" else layer.mcp_ask:
                    if rule.matches(target):
                        action: Action = "deny" if kind == "deny" else "ask"
                        return Verdict(action, f"the MCP rule {kind} `{rule.source}` ({layer.source})")
        return Verdict("allow", "no MCP rule applies")

    def _command_caution(self, line: CommandLine) -> Verdict:
        """Dangers, what each command would touch, deny rules, opaque parts, then ask rules; deny wins.
        Questions about targets and opaque parts are firm: auto-all does not answer them."""
        if not line.segments and not line.opaque:
            return Verdict("allow", "an empty command line")
        if line.dangers:
            return Verdict("deny", f"refused: {line.dangers[0]}")
        places = Places.of(self._root(), line.scope.home)
        judged = [(segment, finding) for segment in line.segments for finding in findings(segment, places)]
        for segment, finding in judged:
            if finding.action == "deny":
                return Verdict("deny", f"refused: `{segment}` {finding.reason}")
        for layer in (self.builtin, *self.layers):
            for segment in line.segments:
                for pattern in layer.deny:
                    if pattern.matches_loosely(segment):
                        return Verdict("deny", f"`{segment}` matches the deny rule `{pattern.source}` ({layer.source})")
        if line.opaque:
            return Verdict("ask", f"cannot be judged from the text: {line.opaque[0]}", firm=True)
        for segment, finding in judged:
            return Verdict("ask", f"`{segment}` {finding.reason}", firm=True)
        for layer in (self.builtin, *self.layers):
            for segment in line.segments:
                for pattern in layer.ask:
                    if pattern.matches_loosely(segment):
                        return Verdict("ask", f"`{segment}` matches the ask rule `{pattern.source}` ({layer.source})")
        return Verdict("allow", "no command rule applies")


def _all_allowed(line: CommandLine, allow: list[CommandPattern]) -> bool:
    if line.opaque or not line.segments or not allow:
        return False
    # Redirections are file writes, judged by deny rules only; allow rules name commands.
    return all(any(p.matches_whole(s) for p in allow) for s in line.segments if s.name != ">")
