"""flambeau/startTask, flambeau/sendMessage, flambeau/cancelTask."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcServerNotInitialized

from lsp.attachments import resolve_attachments
from lsp.features import CANCEL_TASK, SEND_MESSAGE, START_TASK
from lsp.params import Params
from lsp.server import FlambeauServer
from lsp.settings import APPROVAL_MODES
from lsp.tasks import TaskRequest

if TYPE_CHECKING:
    from lsp.protocol import CancelTaskResult, Empty, StartTaskResult


def require_initialized(ls: FlambeauServer) -> None:
    if not ls.initialized:
        raise JsonRpcServerNotInitialized("the server is not initialized; send initialize first")


def task_request(params: Params) -> TaskRequest:
    return TaskRequest(
        task=params.text("task"),
        model=params.optional_text("model"),
        approval_mode=params.choice("approvalMode", APPROVAL_MODES),
        plan=params.flag("plan"),
    )


async def start_task(ls: FlambeauServer, params: Any) -> StartTaskResult:
    """Start a task in the background; its events follow as `flambeau/event` notifications. Its @-mentions
    and images are resolved first: one that cannot be fails the request, and no task starts."""
    p = Params(START_TASK, params)
    request = task_request(p)
    require_initialized(ls)
    attachments = await resolve_attachments(ls, START_TASK, request.task, p.raw)
    entry = ls.tasks.start(replace(request, attachments=tuple(attachments)))
    return {"taskId": entry.task_id}


async def send_message(ls: FlambeauServer, params: Any) -> Empty:
    p = Params(SEND_MESSAGE, params)
    text = p.text("text")
    attachments = await resolve_attachments(ls, SEND_MESSAGE, text, p.raw, refused="the message was not sent")
    ls.tasks.send_message(p.text("taskId"), text, attachments)
    return {}


async def cancel_task(ls: FlambeauServer, params: Any) -> CancelTaskResult:
    p = Params(CANCEL_TASK, params)
    return {"cancelled": await ls.tasks.cancel(p.text("taskId"))}
