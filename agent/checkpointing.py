"""One checkpoint before the first edit or command of each step, taken off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from agent.events import CheckpointCreated, CheckpointFailed, EventSink
from tools.base import Category
from tools.workspace.checkpoints import Checkpoint

CHANGING = frozenset({Category.EDIT, Category.COMMAND, Category.MCP})
"""An MCP server's tool may write files too (a filesystem server): it is checkpointed like a command."""


class CheckpointStore(Protocol):
    def create(self, label: str, task_id: str = "", overlay: Mapping[str, bytes] | None = None) -> Checkpoint: ...


@runtime_checkable
class OpenBuffers(Protocol):
    """An editor's unsaved buffers: the agent's edits to open documents live there until the editor saves."""

    def buffers_under(self, root: Path) -> dict[str, bytes]:
        """Each open document under `root` whose buffer differs from its file, by workspace-relative path."""


class StepCheckpoints:
    """The session's checkpoint hook. A failure becomes a `CheckpointFailed` event; the task goes on. With
    `buffers`, a checkpoint holds what the editor shows (and the agent reads), not a disk that lags behind."""

    def __init__(self, store: CheckpointStore, buffers: OpenBuffers | None = None, root: Path | None = None) -> None:
        self.store = store
        self.buffers = buffers
        self.root = root
        self._last_step = -1

    async def before_tool(self, category: Category, step: int, task_id: str, emit: EventSink) -> None:
        if category not in CHANGING or step == self._last_step:
            return
        self._last_step = step
        try:
            overlay = self.buffers.buffers_under(self.root) if self.buffers is not None and self.root else None
            label = f"before step {step} of task {task_id}"
            checkpoint = await asyncio.to_thread(self.store.create, label, task_id, overlay)
        except Exception as error:  # whatever went wrong, the task must not die of a missing snapshot
            emit(CheckpointFailed(task_id=task_id, step=step, error=f"{type(error).__name__}: {error}"))
            return
        emit(
            CheckpointCreated(
                task_id=task_id,
                checkpoint_id=checkpoint.id,
                step=step,
                files=checkpoint.files,
                skipped=checkpoint.skipped,
                duration_s=checkpoint.duration_s,
            )
        )
