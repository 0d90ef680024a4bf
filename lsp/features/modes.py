"""flambeau/setTaskMode: Plan/Act and the approval mode of a task in this server, from its next tool call.

No restart: the session's policy changes in place (agent/modes.py), and the change is a `mode_changed`
event, so it is in the trace and every front end sees it. A task not started yet takes it when it starts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from pygls.exceptions import JsonRpcInvalidParams

from lsp.features import SET_TASK_MODE
from lsp.features.task_methods import require_initialized
from lsp.features.traces import task_id_param
from lsp.params import Params
from lsp.server import FlambeauServer
from lsp.settings import APPROVAL_MODES

if TYPE_CHECKING:
    from lsp.protocol import ApprovalMode, SetTaskModeResult


async def set_task_mode(ls: FlambeauServer, params: Any) -> SetTaskModeResult:
    p = Params(SET_TASK_MODE, params)
    require_initialized(ls)
    task_id = task_id_param(p)
    plan = p.flag("plan") if "plan" in p.raw else None
    approval = p.choice("approvalMode", APPROVAL_MODES)
    if plan is None and approval is None:
        raise JsonRpcInvalidParams(f"{SET_TASK_MODE}: give 'plan' (true or false), 'approvalMode', or both")
    entry = ls.tasks.get(task_id)
    request = entry.request
    entry.request = replace(
        request,
        plan=request.plan if plan is None else plan,
        approval_mode=approval or request.approval_mode,
    )
    session = entry.session
    if session is None:  # still starting: the session is built with the new mode
        mode = cast("ApprovalMode", entry.request.approval_mode or ls.settings.approval_mode)
        return {"taskId": task_id, "plan": entry.request.plan, "approvalMode": mode, "changed": True}
    from agent.modes import approval_mode_of, set_mode

    changed = set_mode(session, plan=plan, approval=approval)
    return {
        "taskId": task_id,
        "plan": session.policy.plan_mode,
        "approvalMode": approval_mode_of(session.policy),
        "changed": changed is not None,
    }
