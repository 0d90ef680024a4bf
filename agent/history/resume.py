"""Resuming a past task: its conversation, rebuilt from a trace that verifies, continues in a new trace.

The new trace's header names the one it continues (task id, tree size and Merkle root, so it names
exactly the records it was rebuilt from). A trace that does not verify is refused: its conversation
could have been altered or forged, and would be sent to a model as if it had happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.context import Conversation
from agent.errors import ConfigError
from agent.history.conversation import RebuiltConversation, rebuild_conversation
from agent.session import Session


class ResumeRefused(ConfigError):
    """The task cannot be resumed; the message says why and what to run."""


@dataclass(frozen=True)
class Resume:
    """A verified past task, ready to be continued."""

    continues: str
    """The task id of the trace continued."""
    trace: Path
    tree_size: int
    root: str
    """The continued trace's Merkle root (hex) over its `tree_size` records."""
    conversation: RebuiltConversation

    def header(self) -> dict[str, Any]:
        """The `continues` field of the new trace's header."""
        return {"task_id": self.continues, "tree_size": self.tree_size, "root": self.root}


def prepare_resume(workspace: Path, task_id: str) -> Resume:
    """The task `task_id` of `workspace`, verified and rebuilt; `ResumeRefused` when it cannot be resumed."""
    from agent.trace import TraceError, find_trace, read_trace, verify
    from agent.trace.merkle import MerkleAccumulator, leaf_hash

    try:
        path = find_trace(workspace, task_id)
    except TraceError as error:
        raise ResumeRefused(f"task {task_id} cannot be resumed: {error}") from error
    report = verify(path)
    if report.status != "intact":
        raise ResumeRefused(
            f"task {task_id} is not resumed: its trace does not verify ({report.message}). A trace that does not "
            "verify may have been altered or forged, so its conversation is not sent to a model; "
            f"'flambeau trace verify {task_id}' says what is wrong"
        )
    try:
        conversation = rebuild_conversation(path)
    except TraceError as error:
        raise ResumeRefused(f"task {task_id} cannot be resumed: {error}") from error
    tree = MerkleAccumulator()
    for line in read_trace(path, parse=False).lines:
        tree.append(leaf_hash(line))
    return Resume(str(report.task_id or task_id), path, tree.size, tree.root().hex(), conversation)


class ResumedSession(Session):
    """A session whose conversation starts as the rebuilt one; the follow-up is queued by the caller."""

    def __init__(self, *, resume: Resume, **options: Any) -> None:
        super().__init__(**options)
        self.resume = resume

    def _prepare(self, repo_map: str = "") -> Conversation:
        conversation = super()._prepare(repo_map)
        earlier = self.resume.conversation
        self._task_turn = dict(earlier.task_turn)
        self._frame_task(conversation)
        conversation.turns = [[dict(m) for m in turn] for turn in earlier.turns]
        conversation.summary = dict(earlier.summary) if earlier.summary is not None else None
        conversation.first_turn = earlier.first_turn
        if earlier.native and not self._native:
            from agent.calls.turns import restate

            conversation.turns = restate(conversation.turns, native=False)
        self._conversation = conversation
        if self.profile.effective_locality() == "cloud" and self.result_filter is not None:
            self._filter_history_for_cloud()  # what a local model saw passes the cloud filter first
            for message in (conversation.task, conversation.summary or {}):
                content = message.get("content")
                if isinstance(content, str):
                    message["content"] = self.result_filter("earlier task", {}, content)
        return conversation
