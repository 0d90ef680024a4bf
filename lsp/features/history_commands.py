"""workspace/executeCommand for the history, for editors without a Flambeau client: the same as the
flambeau/*History methods with positional arguments. `flambeau.resumeTask` answers when the task ends."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from lsp.features import (
    CMD_DELETE_HISTORY,
    CMD_EXPORT_HISTORY,
    CMD_OPEN_HISTORY,
    CMD_RESUME_TASK,
    history,
)
from lsp.server import FlambeauServer


def _task_id(command: str, args: tuple[Any, ...], more: str = "") -> str:
    if not args or not isinstance(args[0], str):
        raise JsonRpcInvalidParams(f"{command}: arguments are [taskId{more}]")
    return args[0]


async def list_history(ls: FlambeauServer, *args: Any) -> Any:
    """[]"""
    return await history.list_history(ls, {})


async def open_history(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId]"""
    return await history.open_history(ls, {"taskId": _task_id(CMD_OPEN_HISTORY, args)})


async def delete_history(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId]"""
    return await history.delete_history(ls, {"taskId": _task_id(CMD_DELETE_HISTORY, args)})


async def export_history(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId, format?]: format "markdown" (default) or "json"."""
    task_id = _task_id(CMD_EXPORT_HISTORY, args, ", format?")
    params: dict[str, Any] = {"taskId": task_id}
    if len(args) > 1:
        params["format"] = args[1]
    return await history.export_history(ls, params)


async def resume_task(ls: FlambeauServer, *args: Any) -> dict[str, Any]:
    """[taskId, text, {model?, approvalMode?}]: answers when the resumed task ends."""
    usage = f"{CMD_RESUME_TASK}: arguments are [taskId, text, {{model?, approvalMode?}}]"
    if len(args) not in (2, 3) or not isinstance(args[0], str) or not isinstance(args[1], str):
        raise JsonRpcInvalidParams(usage)
    options = args[2] if len(args) == 3 else {}
    if not isinstance(options, dict):
        raise JsonRpcInvalidParams(usage)
    chosen = {k: v for k, v in options.items() if k in ("model", "approvalMode")}
    params = {**chosen, "taskId": args[0], "text": args[1]}
    answer = await history.resume_task(ls, params)
    entry = ls.tasks.get(answer["taskId"])
    await ls.tasks.finished(entry, ls.protocol.msg_id)
    return {**answer, "outcome": entry.outcome, "message": entry.message}
