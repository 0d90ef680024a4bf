"""Where approval is decided: the policy's verdict, then (for "ask") one approver, with every step an event.

`ApprovalGate.decide` is the one path every tool call takes. The policy (tools/policy/evaluate.py) says
allow, ask or deny; an "ask" becomes an `ApprovalRequested` event (seen by the trace, the CLI and the
editor alike) and goes to the session's `Approver` — the terminal, the editor, or an automatic mode;
the outcome is an `ApprovalDecided` event. The model can add caution (`requires_approval`), never waive it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Protocol

from agent.events import ApprovalDecided, ApprovalRequested, EventSink

if TYPE_CHECKING:
    from agent.calls.text import ParsedCall
    from tools.base import ToolContext
    from tools.policy.evaluate import Policy
    from tools.registry import ToolRegistry

DecidedBy = Literal["user", "rule", "auto", "timeout", "cancelled"]


@dataclass(frozen=True)
class Decision:
    approved: bool
    by: DecidedBy
    reason: str = ""
    remember: bool = False
    """The user asked to always allow this command (for the rest of the session)."""
    content: str | None = None
    """The file's text as the user edited the proposal before approving; what is written instead."""


def denial_reason(where: str, why: str) -> str:
    """What the model is told of a person's denial: where it was denied, and their reason when given."""
    why = why.strip()
    return f"the user denied this {where}, saying: {why}" if why else f"the user denied this {where}"


class Approver(Protocol):
    async def decide(self, request: ApprovalRequested) -> Decision: ...


class DenyAll:
    """Answers every request with a denial; used where nobody can be asked."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def decide(self, request: ApprovalRequested) -> Decision:
        return Decision(approved=False, by="rule", reason=self.reason)


FIRM_REASON = (
    "not run: {why}; even --approve auto-all asks a person about this, and nobody could be asked here. "
    "Run it yourself if it is what you want, or run the task with --approve ask in a terminal"
)


class ApproveAll:
    """Approves what it is asked, except firm requests (work destroyed in the workspace, what cannot be
    judged from the text): those go to `fallback` (a person), or are denied when there is none."""

    def __init__(self, fallback: Approver | None = None) -> None:
        self.fallback = fallback

    async def decide(self, request: ApprovalRequested) -> Decision:
        if not request.firm:
            return Decision(approved=True, by="auto", reason="automatic approval mode")
        if self.fallback is not None:
            return await self.fallback.decide(request)
        return Decision(approved=False, by="rule", reason=FIRM_REASON.format(why=request.reason))


class ApprovalGate:
    """The session's one approval path: policy verdict → (ask) approver → decision, each step emitted."""

    def __init__(self, policy: Policy, approver: Approver, emit: EventSink) -> None:
        self.policy = policy
        self.approver = approver
        self.emit = emit
        self.remembered: set[str] = set()
        """Summaries the user chose to always allow for the rest of the task."""

    async def decide(self, task_id: str, parsed: ParsedCall, ctx: ToolContext) -> Decision:
        tool = parsed.tool
        verdict = self.policy.evaluate(tool.name, tool.category, parsed.arguments)
        summary = tool.summary(parsed.args)
        if verdict.action == "ask" and summary in self.remembered:
            decision = Decision(True, "rule", "the user chose to always allow this for the session")
        elif verdict.action == "allow":
            decision = Decision(approved=True, by="rule" if "user" in verdict.rule else "auto", reason=verdict.rule)
        elif verdict.action == "deny":
            decision = Decision(approved=False, by="rule", reason=f"refused by policy ({verdict.rule})")
        else:
            decision = await self._ask(task_id, parsed, ctx, summary, verdict.rule, verdict.firm)
        self._emit_decision(task_id, parsed, decision)
        return decision

    async def _ask(
        self, task_id: str, parsed: ParsedCall, ctx: ToolContext, summary: str, why: str, firm: bool
    ) -> Decision:
        request = ApprovalRequested(
            task_id=task_id,
            call_id=parsed.call.id,
            tool=parsed.tool.name,
            category=parsed.tool.category.value,
            arguments=parsed.arguments,
            summary=summary,
            reason=why,
            preview=_preview(parsed, ctx),
            firm=firm,
        )
        self.emit(request)
        try:
            decision = await self.approver.decide(request)
        except asyncio.CancelledError:
            self._emit_decision(task_id, parsed, Decision(False, "cancelled", "the task was cancelled while waiting"))
            raise
        if decision.approved and decision.remember:
            self.remembered.add(summary)
        if not decision.approved and not decision.reason:
            decision = Decision(False, decision.by, "the user denied this call")
        if decision.content is not None and not (decision.approved and _editable(parsed)):
            decision = replace(decision, content=None)  # only an approved edit of a named file has a user's version
        return decision

    def _emit_decision(self, task_id: str, parsed: ParsedCall, decision: Decision) -> None:
        self.emit(
            ApprovalDecided(
                task_id=task_id,
                call_id=parsed.call.id,
                tool=parsed.tool.name,
                approved=decision.approved,
                by=decision.by,
                reason=decision.reason,
                edited=decision.content is not None,
                final_content=decision.content,
            )
        )


EDITED_NOTE = (
    "The user edited your proposed change before approving it: {path} was written with the user's text, "
    "not yours. Read it again before changing it further.\n"
)


def as_edited(parsed: ParsedCall, content: str, tools: ToolRegistry) -> tuple[ParsedCall, str]:
    """The approved call with the user's final text (a `write_file` of `content` to the proposal's path),
    and the note that tells the model so."""
    from agent.calls.text import ParsedCall

    write = tools.get("write_file")
    path = parsed.arguments.get("path")
    if write is None or not _editable(parsed) or not isinstance(path, str):
        raise ValueError(f"{parsed.tool.name} proposes no file content the user could have edited")
    arguments = {"path": path, "content": content}
    edited = ParsedCall(call=parsed.call, tool=write, args=write.parse(arguments), arguments=arguments)
    return edited, EDITED_NOTE.format(path=path)


def _editable(parsed: ParsedCall) -> bool:
    return parsed.tool.category.value == "edit" and isinstance(parsed.arguments.get("path"), str)


def _preview(parsed: ParsedCall, ctx: ToolContext) -> str:
    from tools.base import ToolError
    from tools.workspace.jail import PathError

    try:
        return parsed.tool.preview(parsed.args, ctx)
    except (ToolError, PathError) as error:
        return f"(no preview: {error})"
