"""Typed events a session emits. Front ends and the trace writer subscribe to them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from tools.base import FileChange
from tools.policy.sandbox import ContainmentFacts

Locality = Literal["local", "cloud"]
Outcome = Literal["completed", "failed", "cancelled", "limit"]
ModelRole = Literal["main", "summarise", "commit"]
"""What a model call is for: the task's own step, a condensation summary, a commit message."""
CondenseTrigger = Literal["auto", "manual"]


WIRE_EXCLUDED_FIELDS = frozenset({"after_content", "contents", "final_content"})
"""Fields kept for the trace but never put on the wire (file contents would flood LSP notifications)."""
AttachedKind = Literal["file", "folder", "git_changes", "problems", "selection", "terminal", "image"]
AnsweredBy = Literal["user", "nobody", "timeout", "cancelled"]


def _wire_dict(items: list[tuple[str, Any]]) -> dict[str, Any]:
    return {name: value for name, value in items if name not in WIRE_EXCLUDED_FIELDS}


@dataclass(frozen=True)
class Event:
    """Base of every event; `type` names the event on the wire."""

    task_id: str
    type: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self, dict_factory=_wire_dict)
        data["type"] = self.type
        return data


@dataclass(frozen=True)
class TaskStarted(Event):
    type: ClassVar[str] = "task_started"
    task: str = ""
    workspace: str = ""
    model: str = ""
    profile: str = ""
    locality: Locality = "local"
    rules: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    prompt: Literal["full", "compact"] = "full"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UserMessage(Event):
    """A follow-up message the user sent into a running or finished task."""

    type: ClassVar[str] = "user_message"
    text: str = ""


@dataclass(frozen=True)
class Attached:
    """One piece of context an @-mention or an image attached to a message (what a chip shows)."""

    mention: str
    """As written (`@app.py`, `@git-changes`), or the image's name."""
    kind: AttachedKind
    label: str
    path: str = ""
    chars: int = 0
    tokens: int = 0
    """About how many tokens it adds to the request."""
    withheld: str = ""
    """Why it was not sent to the model (a never-to-cloud pattern); empty when it was sent."""
    sha256: str = ""


@dataclass(frozen=True)
class ContextAttached(Event):
    """Context attached to the task's first request (or to a follow-up), before the model is asked."""

    type: ClassVar[str] = "context_attached"
    items: list[Attached] = field(default_factory=list)
    contents: list[bytes] = field(default_factory=list)
    """What each item brought, in order, for the trace's blobs (never on the wire)."""


@dataclass(frozen=True)
class QuestionAsked(Event):
    """The model asks the user a question (`ask_followup_question`), optionally with suggested answers."""

    type: ClassVar[str] = "question_asked"
    call_id: str = ""
    question: str = ""
    suggestions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QuestionAnswered(Event):
    """The user's answer (None: nobody answered, and the model is told to decide itself)."""

    type: ClassVar[str] = "question_answered"
    call_id: str = ""
    answer: str | None = None
    by: AnsweredBy = "user"


@dataclass(frozen=True)
class TextDelta(Event):
    type: ClassVar[str] = "text_delta"
    text: str = ""


@dataclass(frozen=True)
class ModelChanged(Event):
    """The task continues with another model from its next step (a switch, an escalation, a resume)."""

    type: ClassVar[str] = "model_changed"
    previous_profile: str = ""
    profile: str = ""
    model: str = ""
    locality: Locality = "local"
    tool_mode: str = ""
    window: int = 0


@dataclass(frozen=True)
class ModelNotice(Event):
    """Something the user should know about the model this task runs on, e.g. that the embedded server
    crashed on its first start and was restarted with the safest settings."""

    type: ClassVar[str] = "model_notice"
    profile: str = ""
    message: str = ""


@dataclass(frozen=True)
class ContainmentReported(Event, ContainmentFacts):
    """What holds this task's commands (tools/policy/sandbox.py `Containment`), right after `task_started`."""

    type: ClassVar[str] = "containment"


@dataclass(frozen=True)
class ModelRequest(Event):
    """The exact body handed to the model provider, for the trace; front ends may ignore it."""

    type: ClassVar[str] = "model_request"
    step: int = 0
    model: str = ""
    locality: Locality = "local"
    body: dict[str, Any] = field(default_factory=dict)
    role: ModelRole = "main"
    """`main`: a step of the task (what a resumed task continues from); else a summary or a commit message."""


@dataclass(frozen=True)
class Usage(Event):
    """One model call: what it cost and who answered."""

    type: ClassVar[str] = "usage"
    step: int = 0
    model: str = ""
    locality: Locality = "local"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    """USD; None when no price is known for this cloud model."""
    latency_s: float = 0.0
    response_model: str = ""
    system_fingerprint: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    total_prompt_tokens: int = 0
    total_completion_tokens: int = 0
    total_cost_usd: float | None = 0.0
    """USD over the task so far; None once a call's cost was unknown."""
    role: ModelRole = "main"
    """What the call was for (see `ModelRequest.role`)."""


@dataclass(frozen=True)
class ContextParts:
    """What fills a request, in tokens (the parts add up to `ContextUsage.used_tokens`)."""

    system: int = 0
    """The system prompt: instructions, project rules, repository map (and example turns)."""
    tool_schemas: int = 0
    conversation: int = 0
    """The task, the model's answers and the user's messages."""
    tool_results: int = 0
    attachments: int = 0
    """What @-mentions and images attached."""
    summary: int = 0
    """The summary that stands for condensed turns."""


@dataclass(frozen=True)
class ContextUsage(Event):
    """How full the model's window is, after each model call (and after a condensation)."""

    type: ClassVar[str] = "context_usage"
    step: int = 0
    used_tokens: int = 0
    """Tokens of the last request: the provider's count when it reported one, else ours."""
    window: int = 0
    """Tokens the model accepts in one request."""
    counted_by: Literal["provider", "estimate"] = "estimate"
    parts: ContextParts = field(default_factory=ContextParts)
    condense_at_tokens: int = 0
    """About where the conversation is condensed before the next call."""
    turns: int = 0
    """Turns in the conversation now (after the task; a summary counts as none)."""
    condensed_turns: int = 0
    """Turns a summary stands for."""


@dataclass(frozen=True)
class ContextCondensed(Event):
    """The oldest turns were replaced by a summary written by the `summarise` role's model."""

    type: ClassVar[str] = "context_condensed"
    step: int = 0
    trigger: CondenseTrigger = "auto"
    first_turn: int = 0
    last_turn: int = 0
    """The turns replaced, numbered from 1 (the first turn after the task) over the whole task."""
    turns_replaced: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    """A request's tokens (our count: the messages and the tool schemas) before and after."""
    summary: str = ""
    profile: str = ""
    model: str = ""
    locality: Locality = "local"


@dataclass(frozen=True)
class ContextTrimmed(Event):
    """Turns left out of a request to fit the window (no summary could stand for them): never silent."""

    type: ClassVar[str] = "context_trimmed"
    step: int = 0
    first_turn: int = 0
    last_turn: int = 0
    turns_dropped: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    reason: str = ""


@dataclass(frozen=True)
class CondenseFailed(Event):
    """A condensation was asked for (or needed) and could not be made; the message says why."""

    type: ClassVar[str] = "condense_failed"
    step: int = 0
    trigger: CondenseTrigger = "auto"
    error: str = ""
    profile: str = ""


@dataclass(frozen=True)
class ToolCallProposed(Event):
    type: ClassVar[str] = "tool_call_proposed"
    call_id: str = ""
    tool: str = ""
    category: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovalRequested(Event):
    """A tool call waits for a person's decision; every front end and the trace see the same request."""

    type: ClassVar[str] = "approval_requested"
    call_id: str = ""
    tool: str = ""
    category: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    """One line a person can judge, e.g. `run: npm test`."""
    reason: str = ""
    """Why approval is needed (the policy rule, or the model asking for it)."""
    preview: str = ""
    """A diff or command line shown before the decision."""
    firm: bool = False
    """Asked even in automatic approval modes: auto-all does not answer it, a person must."""


@dataclass(frozen=True)
class ApprovalDecided(Event):
    """Whether a tool call may run, and who decided: the user, a policy rule, or automatic mode."""

    type: ClassVar[str] = "approval_decided"
    call_id: str = ""
    tool: str = ""
    approved: bool = False
    by: Literal["user", "rule", "auto", "timeout", "cancelled"] = "auto"
    reason: str = ""
    edited: bool = False
    """The user changed the proposed content before approving; what is written is `final_content`."""
    final_content: str | None = None
    """The user's final text of the file (trace only)."""


@dataclass(frozen=True)
class ToolResultEvent(Event):
    type: ClassVar[str] = "tool_result"
    call_id: str = ""
    tool: str = ""
    ok: bool = True
    output: str = ""
    duration_s: float = 0.0
    file_changes: list[FileChange] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckpointCreated(Event):
    """A snapshot of the workspace, taken before the first edit or command of a step."""

    type: ClassVar[str] = "checkpoint_created"
    checkpoint_id: str = ""
    step: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    """Workspace-relative paths left out (above the size cap, nested repositories)."""
    duration_s: float = 0.0


@dataclass(frozen=True)
class CheckpointFailed(Event):
    """No snapshot could be taken; the task goes on without one."""

    type: ClassVar[str] = "checkpoint_failed"
    step: int = 0
    error: str = ""


RestoredWhat = Literal["files", "task", "both"]
ApprovalModeName = Literal["ask", "auto-edit", "auto-all"]


@dataclass(frozen=True, kw_only=True)
class FilesRestored:
    """What restoring a checkpoint's files did (agent/history/restore.py), as `checkpoint_restored` sends it."""

    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)
    """Files changed since outside the task's recorded edits, overwritten because the person confirmed it."""
    safety_checkpoint_id: str = ""
    """Taken just before restoring files: restoring it undoes the restore."""
    sha256_after: dict[str, str | None] = field(default_factory=dict)
    """Each written or deleted file's SHA-256 after the restore (None: deleted)."""


@dataclass(frozen=True)
class CheckpointRestored(Event, FilesRestored):
    """A person brought the workspace (files), the conversation (task), or both back to a checkpoint."""

    type: ClassVar[str] = "checkpoint_restored"
    checkpoint_id: str = ""
    checkpoint_task_id: str = ""
    """The task whose trace recorded the checkpoint (this one, or a task it continues)."""
    step: int = 0
    """The checkpoint was taken before this step changed anything."""
    what: RestoredWhat = "files"
    rewound_to_step: int | None = None
    """The conversation now ends after this step of the checkpoint's task (None: not rewound)."""


@dataclass(frozen=True)
class ModeChanged(Event):
    """A person switched the task between Plan and Act, or changed its approval mode; the next tool call is
    judged by the new mode."""

    type: ClassVar[str] = "mode_changed"
    plan: bool = False
    approval_mode: ApprovalModeName = "ask"
    previous_plan: bool = False
    previous_approval_mode: ApprovalModeName = "ask"


@dataclass(frozen=True)
class TaskFinished(Event):
    type: ClassVar[str] = "task_finished"
    outcome: Outcome = "completed"
    result: str = ""
    steps: int = 0


@dataclass(frozen=True)
class TaskFailed(Event):
    type: ClassVar[str] = "task_failed"
    outcome: Outcome = "failed"
    error: str = ""
    steps: int = 0


EventSink = Callable[[Event], None]


def request_recorder(
    sink: EventSink, task_id: str, step: int, model: str, locality: Locality, role: ModelRole = "main"
) -> Callable[[dict[str, Any]], None]:
    """A gateway's `on_request`: each exact body it sends becomes a `model_request` event."""
    return lambda body: sink(
        ModelRequest(task_id=task_id, step=step, model=model, locality=locality, body=body, role=role)
    )


class EventBus:
    """Fans one event out to every subscriber, in subscription order."""

    def __init__(self, *subscribers: EventSink) -> None:
        self._subscribers: list[EventSink] = list(subscribers)

    def subscribe(self, sink: EventSink) -> None:
        self._subscribers.append(sink)

    def __call__(self, event: Event) -> None:
        for sink in self._subscribers:
            sink(event)
