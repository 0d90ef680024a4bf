"""workspace/executeCommand for checkpoints and modes, for editors without a Flambeau client: the same as
flambeau/listCheckpoints, restoreCheckpoint, checkpointDiff and setTaskMode, with positional arguments."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from lsp.features import (
    CMD_CHECKPOINT_DIFF,
    CMD_LIST_CHECKPOINTS,
    CMD_RESTORE_CHECKPOINT,
    CMD_SET_TASK_MODE,
    checkpoints,
    modes,
)
from lsp.server import FlambeauServer


def _strings(command: str, args: tuple[Any, ...], count: int, usage: str) -> list[str]:
    if len(args) < count or not all(isinstance(a, str) for a in args[:count]):
        raise JsonRpcInvalidParams(f"{command}: arguments are {usage}")
    return [str(a) for a in args[:count]]


def _options(command: str, args: tuple[Any, ...], at: int, usage: str) -> dict[str, Any]:
    options = args[at] if len(args) > at else {}
    if not isinstance(options, dict) or len(args) > at + 1:
        raise JsonRpcInvalidParams(f"{command}: arguments are {usage}")
    return options


async def list_checkpoints(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId]"""
    (task_id,) = _strings(CMD_LIST_CHECKPOINTS, args, 1, "[taskId]")
    return await checkpoints.list_checkpoints(ls, {"taskId": task_id})


async def restore_checkpoint(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId, checkpointId, what, {overwrite?}]: what is "files", "task" or "both"."""
    usage = '[taskId, checkpointId, "files" | "task" | "both", {overwrite?}]'
    task_id, checkpoint_id, what = _strings(CMD_RESTORE_CHECKPOINT, args, 3, usage)
    options = _options(CMD_RESTORE_CHECKPOINT, args, 3, usage)
    params = {"taskId": task_id, "checkpointId": checkpoint_id, "what": what}
    if "overwrite" in options:
        params["overwrite"] = options["overwrite"]
    return await checkpoints.restore_checkpoint(ls, params)


async def checkpoint_diff(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId, checkpointId]"""
    task_id, checkpoint_id = _strings(CMD_CHECKPOINT_DIFF, args, 2, "[taskId, checkpointId]")
    return await checkpoints.checkpoint_diff(ls, {"taskId": task_id, "checkpointId": checkpoint_id})


async def set_task_mode(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId, {plan?, approvalMode?}]"""
    usage = "[taskId, {plan?, approvalMode?}]"
    (task_id,) = _strings(CMD_SET_TASK_MODE, args, 1, usage)
    options = _options(CMD_SET_TASK_MODE, args, 1, usage)
    chosen = {k: v for k, v in options.items() if k in ("plan", "approvalMode")}
    return await modes.set_task_mode(ls, {**chosen, "taskId": task_id})
