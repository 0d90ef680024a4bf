"""Offering a cloud model when a local one keeps failing — only with a person's approval, never in
local-only mode, and saying plainly what would leave the machine. The offer and the answer are events,
so the trace records both."""

from __future__ import annotations

from agent.approval import Approver
from agent.events import ApprovalDecided, ApprovalRequested, EventSink
from agent.models.config import ModelsConfig, Restrictions
from agent.models.profile import ModelProfile
from agent.session import Session, SessionResult

CALL_ID = "escalate-model"
CONTINUE = "The previous model could not finish this task. Continue it from where it stopped."


def escalation_target(
    result: SessionResult, session: Session, profile: ModelProfile, config: ModelsConfig, restrictions: Restrictions
) -> str | None:
    """The profile to offer, when a local model failed by sending unusable tool calls and one is configured."""
    if result.outcome != "failed" or session.format_errors < session.limits.max_format_errors:
        return None
    if profile.effective_locality() != "local" or restrictions.local_only:
        return None
    target = config.escalate_to
    if not target or target == profile.name:
        return None
    allowed = restrictions.allowed_profiles
    if allowed is not None and target not in allowed:
        return None
    return target


def what_leaves(target: ModelProfile) -> str:
    """What a person is asked to let go, in words: the task, its context, and to whom."""
    if target.effective_locality() == "local":
        return f"Nothing leaves this machine: {target.name} ({target.model}) runs locally."
    where = target.api_base or f"the {target.provider} API"
    return (
        f"The task text, the conversation so far (file contents and command output the agent has seen, "
        f"filtered for the cloud: never-to-cloud files withheld, secrets redacted) and whatever it reads from now "
        f"on are sent to {target.provider} ({target.model} at {where})."
    )


async def ask_to_escalate(
    approver: Approver, emit: EventSink, task_id: str, profile: ModelProfile, target: ModelProfile, why: str
) -> bool:
    """True only when a person approved; automatic approval modes do not count."""
    request = ApprovalRequested(
        task_id=task_id,
        call_id=CALL_ID,
        tool="escalate_model",
        category="model",
        arguments={
            "from": profile.name,
            "to": target.name,
            "model": target.model,
            "provider": target.provider,
            "locality": target.effective_locality(),
            "api_base": target.api_base or "",
        },
        summary=f"continue this task on {target.name} ({target.model}, {target.effective_locality()})",
        reason=f"the local model {profile.model} kept failing: {why}",
        preview=what_leaves(target),
    )
    emit(request)
    decision = await approver.decide(request)
    approved = decision.approved and decision.by == "user"
    reason = decision.reason if approved or not decision.approved else "only a person can send a task to another model"
    emit(
        ApprovalDecided(
            task_id=task_id, call_id=CALL_ID, tool="escalate_model", approved=approved, by=decision.by, reason=reason
        )
    )
    return approved
