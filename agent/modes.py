"""Plan/Act and the approval mode of a running task, changed by a person between two tool calls.

Only the session's own mode (what `--approve` and `--plan` set) changes: the user's and the workspace's
policy files stay layered on top (a workspace still only tightens), firm questions stay firm, and a
model's `requires_approval` still asks. No tool lets the model change the mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from agent.events import ApprovalModeName, ModeChanged
from tools.policy.evaluate import APPROVAL_PRESETS

if TYPE_CHECKING:
    from agent.session import Session
    from tools.policy.evaluate import Policy


def approval_mode_of(policy: Policy) -> ApprovalModeName:
    """The preset the session's modes are (a policy built otherwise counts as the most cautious, "ask")."""
    for name, modes in APPROVAL_PRESETS.items():
        if modes == policy.modes:
            return cast("ApprovalModeName", name)
    return "ask"


def set_mode(session: Session, *, plan: bool | None = None, approval: str | None = None) -> ModeChanged | None:
    """Apply a person's choice to the session from its next tool call, and emit it (for the trace and the
    front ends); None when nothing changed."""
    policy = session.policy
    if approval is not None and approval not in APPROVAL_PRESETS:
        raise ValueError(f"unknown approval mode {approval!r}; use one of {', '.join(APPROVAL_PRESETS)}")
    before_plan, before_mode = policy.plan_mode, approval_mode_of(policy)
    after_plan = before_plan if plan is None else plan
    after_mode = before_mode if approval is None else cast("ApprovalModeName", approval)
    if (after_plan, after_mode) == (before_plan, before_mode):
        return None
    policy.plan_mode = after_plan
    policy.modes = dict(APPROVAL_PRESETS[after_mode])
    changed = ModeChanged(
        task_id=session.task_id,
        plan=after_plan,
        approval_mode=after_mode,
        previous_plan=before_plan,
        previous_approval_mode=before_mode,
    )
    session.emit(changed)
    return changed
