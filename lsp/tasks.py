"""Agent tasks started from the editor. Each runs as an asyncio task; its events stream as notifications.

Nothing heavy is imported before `initialized`; then the agent (pydantic, litellm) loads in a background
thread (lsp/warmup.py), so the event loop keeps serving and a first task finds it loaded or waits for it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams

from lsp.approver import LspApprover
from lsp.asker import LspAsker
from lsp.progress import TaskProgress

if TYPE_CHECKING:
    from agent.attachments import Attachment
    from agent.events import Event
    from agent.history.resume import Resume
    from agent.mcp import McpManager
    from agent.models.resolve import ResolvedModel
    from agent.session import Session, SessionResult
    from lsp.server import FlambeauServer

HIDDEN_EVENTS = frozenset({"model_request"})
"""Events not forwarded to the editor (the exact request body is for the trace)."""
DELIVERED_AS_REQUEST = {"approval_requested": "approvals", "question_asked": "questions"}
"""Events a client that declared the capability (`flambeau/approve`, `flambeau/ask`) receives as that request
instead of a notification."""
CANCEL_WAIT_S = 5.0

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskRequest:
    task: str
    model: str | None = None
    """A profile name or litellm model id; None: the server's default."""
    approval_mode: str | None = None
    plan: bool = False
    attachments: tuple[Attachment, ...] = ()
    """What the task's @-mentions and images attach (resolved before the task starts)."""
    resume: Resume | None = None
    """A past task (verified, rebuilt from its trace) this one continues (lsp/features/history.py)."""


@dataclass
class RunningTask:
    task_id: str
    request: TaskRequest
    runner: asyncio.Task[None] | None = None
    session: Session | None = None
    pending_messages: list[tuple[str, list[Attachment]]] = field(default_factory=list)
    outcome: str | None = None
    message: str = ""
    driving: bool = False
    """The session's loop is running and will take follow-up messages at its next step."""
    model_scope: ExitStack | None = None
    """Keeps the task's models open (an embedded server runs) until the task's run ends."""
    escalation_offered: bool = False

    @property
    def active(self) -> bool:
        return self.runner is not None and not self.runner.done()


class TaskRegistry:
    def __init__(self, server: FlambeauServer) -> None:
        self.server = server
        self._tasks: dict[str, RunningTask] = {}
        self._by_request: dict[str | int, RunningTask] = {}
        """Tasks whose client request (an executeCommand) waits for their end, by request id."""

    def start(self, request: TaskRequest) -> RunningTask:
        from agent import new_task_id

        entry = RunningTask(task_id=new_task_id(), request=request)
        self._tasks[entry.task_id] = entry
        entry.runner = asyncio.ensure_future(self._run(entry))
        return entry

    def resume(self, request: TaskRequest, text: str, attachments: list[Attachment]) -> RunningTask:
        """Start a task that continues `request.resume` with the follow-up `text`, in a new trace."""
        assert request.resume is not None
        entry = self.start(replace(request, task=request.resume.conversation.task))
        entry.pending_messages.append((text, attachments))
        return entry

    def is_active(self, task_id: str) -> bool:
        """The task runs in this server and has not ended (its trace is still being written)."""
        entry = self._tasks.get(task_id)
        return entry is not None and entry.active and (entry.driving or entry.outcome is None)

    def get(self, task_id: str) -> RunningTask:
        entry = self._tasks.get(task_id)
        if entry is None:
            raise JsonRpcInvalidParams(f"no task with id {task_id!r} in this server; start one with flambeau/startTask")
        return entry

    def send_message(self, task_id: str, text: str, attachments: list[Attachment] | None = None) -> None:
        entry = self.get(task_id)
        if entry.session is None:
            if not entry.active:
                raise JsonRpcInvalidParams(f"task {task_id} ended before it started: {entry.message}")
            entry.pending_messages.append((text, attachments or []))
            return
        from agent.errors import ConfigError

        try:
            entry.session.follow_up(text, attachments)
        except ConfigError as error:  # an image for a model without vision
            raise JsonRpcInvalidParams(f"the message was not sent: {error}") from error
        if not entry.driving:
            entry.runner = asyncio.ensure_future(self._resume(entry, entry.session))

    async def switch_model(self, task_id: str, name: str) -> None:
        """Continue task `task_id` with the profile `name` from its next step (a follow-up of an ended task
        opens it then); the session records the change as a `model_changed` event."""
        entry = self.get(task_id)
        entry.request = replace(entry.request, model=name)
        session, scope = entry.session, entry.model_scope
        if session is None or scope is None or not entry.active:
            return
        resolved = await asyncio.to_thread(self._open_model, entry, scope)
        from agent.models.gateway import ModelGateway

        session.request_model(ModelGateway(resolved.profile, api_key=resolved.api_key, provenance=resolved.provenance))

    async def cancel(self, task_id: str) -> bool:
        entry = self.get(task_id)
        if entry.runner is None or not entry.active:
            return False
        entry.runner.cancel()
        await asyncio.wait({entry.runner}, timeout=CANCEL_WAIT_S)
        return True

    async def finished(self, entry: RunningTask, request_id: str | int | None) -> None:
        """Wait for the task to end. `$/cancelRequest` for `request_id` (or cancelling the waiter) cancels it."""
        if entry.runner is None:
            return
        if request_id is not None:
            self._by_request[request_id] = entry
        try:
            await asyncio.wait({entry.runner})
        except asyncio.CancelledError:
            entry.runner.cancel()
            await asyncio.wait({entry.runner}, timeout=CANCEL_WAIT_S)
            raise
        finally:
            if request_id is not None:
                self._by_request.pop(request_id, None)

    def cancel_for_request(self, request_id: str | int) -> None:
        """The client cancelled request `request_id`: cancel the task it is waiting for, if any."""
        entry = self._by_request.pop(request_id, None)
        if entry is not None:
            self._cancel_soon(entry)

    async def cancel_all(self) -> None:
        runners = [entry.runner for entry in self._tasks.values() if entry.runner is not None and entry.active]
        for runner in runners:
            runner.cancel()
        if runners:
            await asyncio.wait(runners, timeout=CANCEL_WAIT_S)

    # -- running ---------------------------------------------------------------------------------
    async def _run(self, entry: RunningTask) -> None:
        progress = TaskProgress(self.server, entry.task_id, on_cancel=lambda: self._cancel_soon(entry))
        await progress.begin(entry.request.task)
        model_scope = entry.model_scope = ExitStack()  # the model stays open (an embedded server runs) meanwhile
        try:
            await self.server.warmup.ready()
            resolved = await asyncio.to_thread(self._open_model, entry, model_scope)
            mcp = await self.server.mcp.ready()
            session = await asyncio.to_thread(self._build_session, entry, resolved, progress, mcp)
            entry.session = session
            for text, attachments in entry.pending_messages:
                session.follow_up(text, attachments)
            entry.pending_messages.clear()
            result = await self._drive(entry, session)
            await self._offer_escalation(entry, session, result, resolved)
        except asyncio.CancelledError:
            self._cancelled_before_start(entry)
            raise
        except Exception as error:  # the task's boundary: whatever went wrong is reported, the server lives on
            self._failed(entry, error)
        finally:
            progress.end(entry.outcome)
            await asyncio.to_thread(model_scope.close)

    async def _resume(self, entry: RunningTask, session: Session) -> None:
        """Continue a finished task: the model is opened again (an embedded server stopped at the end)."""
        model_scope = entry.model_scope = ExitStack()
        try:
            resolved = await asyncio.to_thread(self._open_model, entry, model_scope)
            from agent.models.gateway import ModelGateway

            session.use_model(ModelGateway(resolved.profile, api_key=resolved.api_key, provenance=resolved.provenance))
            session.notify(resolved.notices)
            session.format_errors = 0  # a person spoke: the model's run of unusable calls starts afresh
            result = await self._drive(entry, session)
            await self._offer_escalation(entry, session, result, resolved)
        except Exception as error:  # the task's boundary, as in _run
            self._failed(entry, error)
        finally:
            await asyncio.to_thread(model_scope.close)

    async def _offer_escalation(
        self, entry: RunningTask, session: Session, result: SessionResult, resolved: ResolvedModel
    ) -> None:
        """Once per task: a local model that kept failing may hand over to the configured profile, if a person
        agrees in the editor after reading what would leave the machine. A refusal leaves the task as it ended."""
        from agent.models.config import load_config
        from agent.models.escalation import CONTINUE, ask_to_escalate, escalation_target
        from agent.models.resolve import configured_profile

        if entry.escalation_offered:
            return
        config = await asyncio.to_thread(load_config, self._workspace())
        target = escalation_target(result, session, session.profile, config, resolved.restrictions)
        if target is None:
            return
        entry.escalation_offered = True
        offered = configured_profile(config, target).profile
        approver = LspApprover(self.server)
        if not await ask_to_escalate(approver, session.emit, entry.task_id, session.profile, offered, result.message):
            return
        entry.request = replace(entry.request, model=target)
        assert entry.model_scope is not None
        chosen = await asyncio.to_thread(self._open_model, entry, entry.model_scope)
        from agent.models.gateway import ModelGateway

        session.use_model(ModelGateway(chosen.profile, api_key=chosen.api_key, provenance=chosen.provenance))
        session.format_errors = 0
        session.follow_up(CONTINUE)
        await self._drive(entry, session)

    async def _drive(self, entry: RunningTask, session: Session) -> SessionResult:
        entry.driving = True
        try:
            result = await session.run()
            # A message that arrived while the last step was finishing continues the task at once.
            while session.pending_user:
                result = await session.run()
        except asyncio.CancelledError:
            entry.outcome, entry.message = "cancelled", "the task was cancelled"
            raise
        finally:
            entry.driving = False
        entry.outcome, entry.message = result.outcome, result.message
        return result

    def _open_model(self, entry: RunningTask, scope: ExitStack) -> ResolvedModel:
        from agent.models.config import load_config
        from agent.models.resolve import open_model

        settings = self.server.settings
        model = entry.request.model or settings.model
        api_base = settings.api_base if model is not None and "/" in model else None
        config = load_config(self._workspace())
        return scope.enter_context(open_model(model, config=config, api_base=api_base))

    def _build_session(
        self, entry: RunningTask, resolved: ResolvedModel, progress: TaskProgress, mcp: McpManager | None
    ) -> Session:
        from agent.runner import TaskSpec, build_session

        spec = TaskSpec.for_model(
            entry.request.task,
            self._workspace(),
            resolved,
            approval_mode=entry.request.approval_mode or self.server.settings.approval_mode,
            task_id=entry.task_id,
            plan_mode=entry.request.plan,
            otlp_endpoint=self.server.settings.otlp_endpoint,
            attachments=list(entry.request.attachments),
            reply_language=self.server.settings.reply_language,
            no_sandbox=self.server.settings.no_sandbox,
            resume=entry.request.resume,
        )
        return build_session(
            spec,
            LspApprover(self.server),
            EventForwarder(self.server, progress),
            documents=self.server.documents,
            asker=LspAsker(self.server),
            mcp=mcp,
        )

    def _workspace(self) -> Path:
        workspace = self.server.settings.workspace
        if workspace is None or not workspace.is_dir():
            raise ValueError(f"the workspace {workspace} is not a folder; open a folder in the editor")
        return workspace

    def _cancel_soon(self, entry: RunningTask) -> None:
        if entry.runner is not None:
            entry.runner.cancel()

    def _cancelled_before_start(self, entry: RunningTask) -> None:
        if entry.outcome is not None:
            return  # the session recorded its own end
        entry.outcome, entry.message = "cancelled", "the task was cancelled before it started"
        from agent.events import TaskFinished

        finished = TaskFinished(task_id=entry.task_id, outcome="cancelled", result=entry.message)
        self.server.send_event(entry.task_id, finished.to_dict())

    def _failed(self, entry: RunningTask, error: Exception) -> None:
        if entry.session is not None:
            logger.exception("task %s crashed", entry.task_id)
        entry.outcome, entry.message = "failed", str(error) or type(error).__name__
        from agent.events import TaskFailed

        self.server.send_event(entry.task_id, TaskFailed(task_id=entry.task_id, error=entry.message).to_dict())
        self.server.show_error(f"Flambeau: the task could not run: {entry.message}")


class EventForwarder:
    """The session's event sink: each event goes to the editor as `flambeau/event`."""

    def __init__(self, server: FlambeauServer, progress: TaskProgress) -> None:
        self.server = server
        self.progress = progress

    def __call__(self, event: Event) -> None:
        if event.type in HIDDEN_EVENTS:
            return
        payload: dict[str, Any] = event.to_dict()
        capability = DELIVERED_AS_REQUEST.get(event.type)
        if capability is None or not getattr(self.server.client, capability):
            self.server.send_event(event.task_id, payload)
        self.progress.on_event(payload)
