"""When a tool call may run: per-category modes, deny wins, the model can only add caution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tools.base import Category

Action = Literal["allow", "ask", "deny"]
STRICTNESS: dict[Action, int] = {"allow": 0, "ask": 1, "deny": 2}


@dataclass(frozen=True)
class Verdict:
    action: Action
    rule: str
    """Which rule decided, in words a reviewer can read."""


def stricter(a: Verdict, b: Verdict) -> Verdict:
    return a if STRICTNESS[a.action] >= STRICTNESS[b.action] else b


APPROVAL_PRESETS: dict[str, dict[Category, Action]] = {
    "ask": {Category.READ: "allow", Category.EDIT: "ask", Category.COMMAND: "ask", Category.GIT: "ask"},
    "auto-edit": {Category.READ: "allow", Category.EDIT: "allow", Category.COMMAND: "ask", Category.GIT: "ask"},
    "auto-all": {Category.READ: "allow", Category.EDIT: "allow", Category.COMMAND: "allow", Category.GIT: "allow"},
}


@dataclass
class Policy:
    modes: dict[Category, Action] = field(default_factory=lambda: dict(APPROVAL_PRESETS["ask"]))
    plan_mode: bool = False
    """Plan mode: only reading tools execute."""

    @classmethod
    def preset(cls, name: str) -> Policy:
        if name not in APPROVAL_PRESETS:
            raise ValueError(f"unknown approval mode {name!r}; use one of {', '.join(APPROVAL_PRESETS)}")
        return cls(modes=dict(APPROVAL_PRESETS[name]))

    def evaluate(self, tool: str, category: Category, arguments: dict[str, Any]) -> Verdict:
        if category is Category.META:
            return Verdict("allow", "completion needs no approval")
        if self.plan_mode and category is not Category.READ:
            return Verdict("deny", f"plan mode: {category.value} tools do not run until plan mode is turned off")
        mode = self.modes.get(category, "ask")
        verdict = Verdict(mode, f"{category.value} tools: {mode}")
        if arguments.get("requires_approval") is True:
            verdict = stricter(verdict, Verdict("ask", "the model asked for approval"))
        return verdict
