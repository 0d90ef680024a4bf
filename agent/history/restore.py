"""A task's checkpoints, restored from the chat: its files from the shadow repository, its conversation
rewound from its trace, or both; and what a restore would change, for a confirmation or a diff.

The checkpoints a task offers are the ones its trace recorded (and those of the tasks it continues): a
checkpoint id is looked up there, never taken from the caller as is. A checkpoint of step N was taken
before step N changed anything, so restoring its files undoes step N and everything after, and
rewinding to it leaves the conversation as it was after step N-1.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.events import CheckpointRestored, FilesRestored, RestoredWhat
from agent.history.timeline import MAX_CHAIN, continued_id
from agent.trace.layout import TRACE_SUFFIX
from agent.trace.reading import read_trace
from tools.workspace.checkpoint_files import CheckpointError, safe_path

if TYPE_CHECKING:
    from agent.history.conversation import RebuiltConversation
    from tools.workspace.checkpoints import ShadowCheckpoints

Record = dict[str, Any]
ChangeKind = Literal["modified", "added", "deleted"]
MAX_ORIGINAL_BYTES = 2 * 1024 * 1024
"""A file's checkpoint contents are sent for a diff up to this size."""


class RestoreRefused(ValueError):
    """The restore cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True)
class TaskCheckpoint:
    checkpoint_id: str
    task_id: str
    """The task whose trace recorded it (the task asked about, or one it continues)."""
    trace: Path
    step: int
    files: int
    created: str
    """When it was taken (its record's time)."""
    available: bool = True
    """Still in the checkpoint store (a restore needs it)."""


@dataclass(frozen=True)
class PlannedChange:
    """What a restore would do to one file, and whether someone else changed it since."""

    path: str
    change: ChangeKind
    """How the file is now, compared with the checkpoint: `added` since (a restore deletes it), `deleted`
    since (a restore brings it back) or `modified`."""
    outside_task: bool
    """Its bytes now are not what the task's recorded edits left (the user, or a command, changed it)."""
    checkpoint_sha: str | None = None


def chain(trace: Path) -> list[Path]:
    """The trace and those it continues that are still there, oldest first."""
    found: list[Path] = []
    current: Path | None = trace
    while current is not None and current.is_file() and current not in found and len(found) < MAX_CHAIN:
        found.append(current)
        earlier = continued_id(read_trace(current).header)
        current = current.with_name(earlier + TRACE_SUFFIX) if earlier else None
    return list(reversed(found))


def task_checkpoints(trace: Path, store: ShadowCheckpoints) -> list[TaskCheckpoint]:
    """Every checkpoint the task's traces recorded, oldest first."""
    stored = {c.id for c in store.list_checkpoints()}
    found: list[TaskCheckpoint] = []
    for path in chain(trace):
        raw = read_trace(path)
        task_id = str(raw.header.get("task_id") or path.name.removesuffix(TRACE_SUFFIX))
        for record in raw.valid_records():
            checkpoint_id = record.get("checkpoint_id")
            if record.get("kind") != "workspace_checkpoint" or not isinstance(checkpoint_id, str):
                continue
            step = record.get("step")
            found.append(
                TaskCheckpoint(
                    checkpoint_id=checkpoint_id,
                    task_id=task_id,
                    trace=path,
                    step=step if isinstance(step, int) else 0,
                    files=int(record.get("files") or 0),
                    created=str(record.get("time") or ""),
                    available=checkpoint_id in stored,
                )
            )
    return found


def find_checkpoint(checkpoints: list[TaskCheckpoint], checkpoint_id: str) -> TaskCheckpoint:
    matches = [c for c in checkpoints if len(checkpoint_id) >= 7 and c.checkpoint_id.startswith(checkpoint_id)]
    if len(matches) != 1:
        raise RestoreRefused(
            f"the task has no checkpoint {checkpoint_id!r}; flambeau/listCheckpoints lists the ones its trace recorded"
        )
    if not matches[0].available:
        raise RestoreRefused(
            f"checkpoint {checkpoint_id[:12]} is no longer in the checkpoint store (it was removed); nothing to restore"
        )
    return matches[0]


def plan_files(
    workspace: Path,
    store: ShadowCheckpoints,
    checkpoint: TaskCheckpoint,
    traces: list[Path],
    buffers: Mapping[str, bytes] | None = None,
) -> list[PlannedChange]:
    """The files a restore of `checkpoint` would write or delete, each marked when its bytes now (an open
    document's unsaved buffer in `buffers`, else the disk's) are not what the recorded edits of the task
    (its `traces`, oldest first) left."""
    expected = _recorded_after(checkpoint, traces)
    buffers = buffers or {}
    planned: list[PlannedChange] = []
    for delta in store.changes_since(checkpoint.checkpoint_id, buffers):
        try:
            path = safe_path(workspace, delta.path)
        except CheckpointError:
            continue  # never restored (apply_changes refuses it too), so never offered
        buffer = buffers.get(delta.path)
        now = hashlib.sha256(buffer).hexdigest() if buffer is not None else _sha256(path)
        change: ChangeKind = "added" if delta.checkpoint_sha is None else "deleted" if now is None else "modified"
        outside = delta.path not in expected or expected[delta.path] != now
        planned.append(PlannedChange(delta.path, change, outside, delta.checkpoint_sha))
    return sorted(planned, key=lambda p: p.path)


def restore_files(
    workspace: Path,
    store: ShadowCheckpoints,
    checkpoint: TaskCheckpoint,
    traces: list[Path],
    *,
    overwrite: bool,
    buffers: Mapping[str, bytes] | None = None,
) -> FilesRestored:
    """Bring the workspace back to `checkpoint`; refused, with the files named, when it would overwrite
    changes made outside the task and `overwrite` was not given. `buffers` as for `plan_files` (the safety
    checkpoint keeps them)."""
    outside = [p.path for p in plan_files(workspace, store, checkpoint, traces, buffers) if p.outside_task]
    if outside and not overwrite:
        raise RestoreRefused(
            f"restoring checkpoint {checkpoint.checkpoint_id[:12]} would overwrite changes made since outside the "
            f"task: {', '.join(outside)}; confirm with overwrite: true to restore anyway"
        )
    try:
        report = store.restore(checkpoint.checkpoint_id, buffers)
    except CheckpointError as error:
        raise RestoreRefused(str(error)) from error
    touched = set(report.written) | set(report.deleted)
    return FilesRestored(
        written=report.written,
        deleted=report.deleted,
        failed=report.failed,
        overwritten=[p for p in outside if p in touched],
        safety_checkpoint_id=report.safety_checkpoint.id,
        sha256_after={rel: _sha256(workspace / rel) for rel in sorted(touched)},
    )


def rewound(checkpoint: TaskCheckpoint) -> RebuiltConversation:
    """The conversation as it was just before the checkpoint's step (after the step before it)."""
    from agent.history.conversation import rebuild_conversation

    return rebuild_conversation(checkpoint.trace, max(checkpoint.step - 1, 0))


def restored_event(
    task_id: str, checkpoint: TaskCheckpoint, what: RestoredWhat, files: FilesRestored | None
) -> CheckpointRestored:
    files = files or FilesRestored()
    return CheckpointRestored(
        task_id=task_id,
        checkpoint_id=checkpoint.checkpoint_id,
        checkpoint_task_id=checkpoint.task_id,
        step=checkpoint.step,
        what=what,
        **{f.name: getattr(files, f.name) for f in fields(FilesRestored)},
        rewound_to_step=max(checkpoint.step - 1, 0) if what in ("task", "both") else None,
    )


def original_contents(store: ShadowCheckpoints, planned: list[PlannedChange]) -> dict[str, bytes]:
    """The checkpoint's bytes of each planned file it has, up to MAX_ORIGINAL_BYTES each."""
    shas = [p.checkpoint_sha for p in planned if p.checkpoint_sha]
    blobs = store.read_blobs(shas)
    return {
        p.path: blobs[p.checkpoint_sha]
        for p in planned
        if p.checkpoint_sha in blobs and len(blobs[p.checkpoint_sha]) <= MAX_ORIGINAL_BYTES
    }


def _recorded_after(checkpoint: TaskCheckpoint, traces: list[Path]) -> dict[str, str | None]:
    """Each file's SHA-256 as the task's recorded edits (and restores) left it, from the checkpoint on
    (None: deleted)."""
    expected: dict[str, str | None] = {}
    started = False
    for path in traces:
        if not started and path != checkpoint.trace:
            continue
        for record in read_trace(path).valid_records():
            if record.get("kind") == "workspace_checkpoint" and record.get("checkpoint_id") == checkpoint.checkpoint_id:
                started = True
            elif started and record.get("kind") == "file_change" and isinstance(record.get("path"), str):
                after = record.get("sha256_after")
                expected[record["path"]] = after if isinstance(after, str) else None
            elif started and record.get("event_type") == "checkpoint_restored" and isinstance(record.get("data"), dict):
                restored = record["data"].get("sha256_after")
                if isinstance(restored, dict):
                    expected.update({k: v if isinstance(v, str) else None for k, v in restored.items()})
    return expected


def _sha256(path: Path) -> str | None:
    try:
        if path.is_symlink():
            return hashlib.sha256(os.fsencode(os.readlink(path))).hexdigest()
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None
