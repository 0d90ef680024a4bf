"""One checkpoint before the first edit or command of each step, taken off the event loop."""

from __future__ import annotations

import asyncio
from typing import Protocol

from agent.events import CheckpointCreated, CheckpointFailed, EventSink
from tools.base import Category
from tools.workspace.checkpoints import Checkpoint

CHANGING = frozenset({Category.EDIT, Category.COMMAND, Category.MCP})
"""An MCP server's tool may write files too (a filesystem server): it is checkpointed like a command."""


class CheckpointStore(Protocol):
    def create(self, label: str, task_id: str = "") -> Checkpoint: ...


class StepCheckpoints:
    """The session's checkpoint hook. A failure becomes a `CheckpointFailed` event; the task goes on."""

    def __init__(self, store: CheckpointStore) -> None:
        self.store = store
        self._last_step = -1

    async def before_tool(self, category: Category, step: int, task_id: str, emit: EventSink) -> None:
        if category not in CHANGING or step == self._last_step:
            return
        self._last_step = step
        try:
            checkpoint = await asyncio.to_thread(self.store.create, f"before step {step} of task {task_id}", task_id)
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
