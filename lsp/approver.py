"""Approvals through the editor: `flambeau/approve` when the client declared it, else showMessageRequest.

The request's params have the shape of a `flambeau/event` notification (`{taskId, event}`) whose event is
the session's `approval_requested` event, so the editor receives each request once, in one shape.

No answer within the timeout is a denial decided by "timeout"; a task cancelled while waiting raises
`CancelledError`, which the session records as decided by "cancelled". The client is told with
`$/cancelRequest` in both cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp.client_requests import ClientGone, ClientRequestTimeout, request_client
from lsp.features import APPROVE as APPROVE_METHOD

if TYPE_CHECKING:
    from agent.approval import Decision
    from agent.events import ApprovalRequested
    from lsp.server import FlambeauServer

APPROVE = "Approve"
DENY = "Deny"


class LspApprover:
    def __init__(self, server: FlambeauServer) -> None:
        self.server = server

    async def decide(self, request: ApprovalRequested) -> Decision:
        from agent.approval import Decision

        timeout = self.server.settings.approval_timeout_s
        try:
            if self.server.client.approvals:
                answer = await request_client(
                    self.server.protocol, APPROVE_METHOD, approve_params(request), timeout_s=timeout
                )
                return decision_from_answer(answer)
            item = await request_client(
                self.server.protocol, types.WINDOW_SHOW_MESSAGE_REQUEST, message_request(request), timeout_s=timeout
            )
        except ClientGone:
            return Decision(False, "cancelled", "the editor disconnected before answering")
        except ClientRequestTimeout:
            return Decision(False, "timeout", f"no answer from the editor within {timeout:g}s; treated as denied")
        except JsonRpcException as error:
            return Decision(False, "user", f"the editor answered the approval with an error: {error.message}")
        if isinstance(item, types.MessageActionItem) and item.title == APPROVE:
            return Decision(True, "user", "approved in the editor")
        return Decision(False, "user", "the user denied this in the editor")


def approve_params(request: ApprovalRequested) -> dict[str, Any]:
    return {"taskId": request.task_id, "event": request.to_dict()}


def decision_from_answer(answer: Any) -> Decision:
    """`{decision: approve|deny|always, reason?, content?}`; anything else is a denial that says why.
    A denial's reason is told to the model as given; `content` is the user's version of a proposed file."""
    from agent.approval import Decision

    decision = answer.get("decision") if isinstance(answer, dict) else None
    given = answer.get("reason") if isinstance(answer, dict) else None
    reason = given if isinstance(given, str) and given else ""
    given_content = answer.get("content") if isinstance(answer, dict) else None
    content = given_content if isinstance(given_content, str) else None
    if decision == "approve":
        return Decision(True, "user", reason or "approved in the editor", content=content)
    if decision == "always":
        return Decision(True, "user", reason or "approved for the rest of this task", remember=True, content=content)
    if decision == "deny":
        return Decision(False, "user", reason or "the user denied this in the editor")
    return Decision(
        False, "user", f"the editor's answer {answer!r:.200} is not approve, deny or always; treated as denied"
    )


def message_request(request: ApprovalRequested) -> types.ShowMessageRequestParams:
    detail = f"\n{request.preview}" if request.preview and request.preview != request.summary else ""
    return types.ShowMessageRequestParams(
        type=types.MessageType.Warning,
        message=f"Flambeau asks to {request.summary} ({request.reason}).{detail}",
        actions=[types.MessageActionItem(title=APPROVE), types.MessageActionItem(title=DENY)],
    )


__all__ = ["LspApprover"]
