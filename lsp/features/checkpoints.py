"""flambeau/listCheckpoints, restoreCheckpoint, checkpointDiff: a task's checkpoints, from the chat.

A task's checkpoints are the ones its trace recorded (agent/history/restore.py). A restore is recorded in
the task's trace: through its session when it lives in this server (files, and the live conversation
rewound), else appended to its sealed trace, which must verify first (a task opened from the History
after a restart); either way the trace is sealed again and still verifies. A running task is not restored:
its loop would race the restore.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pygls.exceptions import JsonRpcInvalidParams

from lsp.features import CHECKPOINT_DIFF, LIST_CHECKPOINTS, RESTORE_CHECKPOINT
from lsp.features.traces import find_path, task_id_param, workspace_of
from lsp.params import Params
from lsp.server import FlambeauServer

if TYPE_CHECKING:
    from agent.events import FilesRestored, RestoredWhat
    from agent.history.restore import PlannedChange, TaskCheckpoint
    from lsp.protocol import (
        CheckpointDiffResult,
        CheckpointEntry,
        DiffFile,
        ListCheckpointsResult,
        RestoreCheckpointResult,
    )
    from lsp.tasks import RunningTask
    from tools.workspace.checkpoints import ShadowCheckpoints

WHAT = ("files", "task", "both")


def _store(workspace: Path) -> ShadowCheckpoints:
    from tools.workspace.checkpoints import ShadowCheckpoints

    return ShadowCheckpoints(workspace)


def _refused(method: str, error: Exception) -> JsonRpcInvalidParams:
    return JsonRpcInvalidParams(f"{method}: {error}")


def live_entry(ls: FlambeauServer, task_id: str) -> RunningTask | None:
    try:
        return ls.tasks.get(task_id)
    except JsonRpcInvalidParams:
        return None


def checkpoint_entry(checkpoint: TaskCheckpoint) -> CheckpointEntry:
    return {
        "checkpointId": checkpoint.checkpoint_id,
        "taskId": checkpoint.task_id,
        "step": checkpoint.step,
        "files": checkpoint.files,
        "createdAt": checkpoint.created,
        "available": checkpoint.available,
    }


async def list_checkpoints(ls: FlambeauServer, params: Any) -> ListCheckpointsResult:
    task_id = task_id_param(Params(LIST_CHECKPOINTS, params))
    path = await find_path(ls, task_id)
    workspace = workspace_of(ls)

    def listing() -> list[TaskCheckpoint]:
        from agent.history.restore import task_checkpoints

        return task_checkpoints(path, _store(workspace))

    found = await ls.agent_thread(listing)
    return {"taskId": task_id, "checkpoints": [checkpoint_entry(c) for c in found]}


async def restore_checkpoint(ls: FlambeauServer, params: Any) -> RestoreCheckpointResult:
    """Restore the files, the conversation (`task`), or both, to a checkpoint of the task."""
    p = Params(RESTORE_CHECKPOINT, params)
    task_id = task_id_param(p)
    checkpoint_id = p.text("checkpointId")
    what = cast("RestoredWhat | None", p.choice("what", WHAT))
    if what is None:
        raise JsonRpcInvalidParams(f"{RESTORE_CHECKPOINT}: 'what' is required: 'files', 'task' or 'both'")
    overwrite = p.flag("overwrite")
    entry = live_entry(ls, task_id)
    if entry is not None and ls.tasks.is_active(task_id):
        raise JsonRpcInvalidParams(
            f"{RESTORE_CHECKPOINT}: task {task_id} is running; cancel it or let it finish, then restore"
        )
    session = entry.session if entry is not None else None
    path = await find_path(ls, task_id)
    workspace = workspace_of(ls)
    buffers = ls.documents.buffers_under(workspace)

    def restore() -> tuple[TaskCheckpoint, Any, FilesRestored | None]:
        from agent.history import restore as r
        from agent.trace.reading import TraceError

        try:
            if session is None:
                _refuse_unverified(task_id, path)
            store = _store(workspace)
            checkpoint = r.find_checkpoint(r.task_checkpoints(path, store), checkpoint_id)
            rebuilt = r.rewound(checkpoint) if what != "files" else None  # rebuilt first: a failure changes nothing
            files = None
            if what != "task":
                files = r.restore_files(
                    workspace, store, checkpoint, r.chain(path), overwrite=overwrite, buffers=buffers
                )
        except (r.RestoreRefused, TraceError) as error:
            raise _refused(RESTORE_CHECKPOINT, error) from error
        return checkpoint, rebuilt, files

    checkpoint, rebuilt, files = await ls.agent_thread(restore)
    if files is not None:  # a buffer equal to its file reloads by itself; one that differed is set here
        await _show_in_editor(ls, workspace, [rel for rel in files.written if rel in buffers])
    from agent.history.restore import restored_event

    event = restored_event(task_id, checkpoint, what, files)
    if session is not None:
        if rebuilt is not None:
            session.rewind(rebuilt.turns, rebuilt.native)
        session.emit(event)  # its trace, its front ends
    else:
        await ls.agent_thread(lambda: _record_in_ended_trace(path, workspace, event))
        ls.send_event(task_id, event.to_dict())
    return {
        "taskId": task_id,
        "checkpointId": checkpoint.checkpoint_id,
        "what": what,
        "written": event.written,
        "deleted": event.deleted,
        "failed": event.failed,
        "overwritten": event.overwritten,
        "safetyCheckpointId": event.safety_checkpoint_id,
        "rewoundToStep": event.rewound_to_step,
    }


async def _show_in_editor(ls: FlambeauServer, workspace: Path, written: list[str]) -> None:
    """Open documents show the restored text (an unsaved agent edit in a buffer would otherwise hide it)."""
    for rel in written:
        path = workspace / rel
        if ls.documents.open_text(path) is None:
            continue
        try:
            text = (await asyncio.to_thread(path.read_bytes)).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        await ls.documents.apply_text(path, text)


def _refuse_unverified(task_id: str, path: Path) -> None:
    from agent.history.restore import RestoreRefused
    from agent.trace.verify import verify

    report = verify(path)
    if report.status != "intact":
        raise RestoreRefused(
            f"task {task_id} is not restored: its trace does not verify ({report.message}); "
            f"'flambeau trace verify {task_id}' says what is wrong"
        )


def _record_in_ended_trace(path: Path, workspace: Path, event: Any) -> None:
    from agent.trace.writer import TraceUnsafe, TraceWriter

    try:
        writer = TraceWriter.reopen(path, workspace)
    except TraceUnsafe as error:
        raise _refused(RESTORE_CHECKPOINT, error) from error
    try:
        writer(event)
    finally:
        writer.close()


async def checkpoint_diff(ls: FlambeauServer, params: Any) -> CheckpointDiffResult:
    """What differs between a checkpoint and the workspace now: each file with its checkpoint contents."""
    p = Params(CHECKPOINT_DIFF, params)
    task_id = task_id_param(p)
    checkpoint_id = p.text("checkpointId")
    path = await find_path(ls, task_id)
    workspace = workspace_of(ls)
    buffers = ls.documents.buffers_under(workspace)

    def diff() -> tuple[TaskCheckpoint, list[PlannedChange], dict[str, bytes]]:
        from agent.history import restore as r
        from agent.trace.reading import TraceError

        store = _store(workspace)
        try:
            checkpoint = r.find_checkpoint(r.task_checkpoints(path, store), checkpoint_id)
            planned = r.plan_files(workspace, store, checkpoint, r.chain(path), buffers)
        except (r.RestoreRefused, TraceError) as error:
            raise _refused(CHECKPOINT_DIFF, error) from error
        return checkpoint, planned, r.original_contents(store, planned)

    checkpoint, planned, originals = await ls.agent_thread(diff)
    return {
        "taskId": task_id,
        "checkpointId": checkpoint.checkpoint_id,
        "step": checkpoint.step,
        "workspace": str(workspace),
        "files": [_diff_file(change, originals.get(change.path)) for change in planned],
    }


def _diff_file(change: PlannedChange, original: bytes | None) -> DiffFile:
    from tools.workspace.fileio import looks_binary

    text: str | None = None
    binary = original is not None and looks_binary(original)
    if original is not None and not binary:
        try:
            text = original.decode("utf-8")
        except UnicodeDecodeError:
            binary = True
    return {
        "path": change.path,
        "change": change.change,
        "outsideTask": change.outside_task,
        "original": text,
        "binary": binary,
        "tooLarge": change.checkpoint_sha is not None and original is None,
    }
