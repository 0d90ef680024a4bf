"""Offering a cloud model when a local one keeps failing — only with the user's own approval, and
never in local-only mode."""

from __future__ import annotations

from agent.approval import Approver
from agent.events import ApprovalRequested
from agent.models.config import ModelsConfig, Restrictions
from agent.models.profile import ModelProfile
from agent.session import Session, SessionResult


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


async def ask_to_escalate(approver: Approver, task_id: str, profile: ModelProfile, target: str, why: str) -> bool:
    """True only when a person approved; automatic approval modes do not count."""
    request = ApprovalRequested(
        task_id=task_id,
        call_id="escalate-model",
        tool="escalate_model",
        category="model",
        arguments={"from": profile.name, "to": target},
        summary=f"retry this task with the profile {target!r} (may be a cloud model)",
        reason=f"the local model {profile.model} kept failing: {why}",
    )
    decision = await approver.decide(request)
    return decision.approved and decision.by == "user"
