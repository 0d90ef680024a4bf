"""The one small interface every approver implements: the terminal, the LSP client, automatic modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

DecidedBy = Literal["user", "rule", "auto", "timeout", "cancelled"]


@dataclass(frozen=True)
class ApprovalRequest:
    task_id: str
    call_id: str
    tool: str
    category: str
    arguments: dict[str, Any]
    summary: str
    """One line a person can judge, e.g. `run: npm test`."""
    reason: str
    """Why approval is needed (the policy rule, or the model asking for it)."""
    preview: str = ""
    """A diff or command line shown before the decision."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    approved: bool
    by: DecidedBy
    reason: str = ""
    remember: bool = False
    """The user asked to always allow this command (for the rest of the session)."""


class Approver(Protocol):
    async def decide(self, request: ApprovalRequest) -> Decision: ...


class DenyAll:
    """Answers every request with a denial; used where nobody can be asked."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def decide(self, request: ApprovalRequest) -> Decision:
        return Decision(approved=False, by="rule", reason=self.reason)


class ApproveAll:
    """Approves everything it is asked; the policy has already removed what is denied."""

    async def decide(self, request: ApprovalRequest) -> Decision:
        return Decision(approved=True, by="auto", reason="automatic approval mode")
