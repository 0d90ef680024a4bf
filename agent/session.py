"""The agent loop: ask the model, run the tools it calls, repeat until done or out of budget."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from agent import new_task_id
from agent.approval import ApprovalGate, Approver, as_edited
from agent.attachments import Attachment
from agent.attachments.images import refuse_without_vision
from agent.attachments.message import attached_message
from agent.calls.constrained import EXAMPLE_TURNS, constraint_params, extract_constrained_call, task_message
from agent.calls.running import run_tool
from agent.calls.text import MalformedCall, extract_text_calls, validate_call
from agent.calls.turns import Message, assistant_message, restate, result_message
from agent.checkpointing import StepCheckpoints
from agent.condensation import ContextKeeper
from agent.context import Budget, CachedCounter, Conversation, Prompt, TokenCount, build_prompt, model_shape
from agent.errors import AgentExit, Completed, ContextOverflow, FormatError, LimitExceeded, ModelError
from agent.events import (
    Event,
    EventSink,
    ModelChanged,
    ModelNotice,
    Outcome,
    TaskFailed,
    TaskFinished,
    TaskStarted,
    TextDelta,
    ToolCallProposed,
    ToolResultEvent,
    UserMessage,
    request_recorder,
)
from agent.limits import Limits, SessionResult, Totals
from agent.models.gateway import ModelReply, ToolCall
from agent.models.roles import RoleProfiles
from agent.ports import Gateway, ResultFilter
from tools.base import ToolContext
from tools.policy.evaluate import Policy
from tools.registry import ToolRegistry
from tools.workspace.output import cap_middle
from tools.workspace.repomap import map_for_prompt, prompt_budget


class Session:
    def __init__(
        self,
        *,
        task: str,
        gateway: Gateway,
        context: ToolContext,
        approver: Approver,
        sink: EventSink,
        tools: ToolRegistry,
        policy: Policy | None = None,
        limits: Limits | None = None,
        window: int | None = None,
        token_count: TokenCount | None = None,
        task_id: str | None = None,
        started_extra: dict[str, Any] | None = None,
        result_filter: ResultFilter | None = None,
        checkpoints: StepCheckpoints | None = None,
        attachments: list[Attachment] | None = None,
        reply_language: str | None = None,
        notices: list[str | Event] | None = None,
        roles: RoleProfiles | None = None,
    ) -> None:
        self.task = task
        self.attachments = attachments or []
        """Context the task's @-mentions and images attach to its first request."""
        self.task_id = task_id or context.task_id or new_task_id()
        context.task_id = self.task_id
        self.gateway = gateway
        self.profile = gateway.profile
        self.ctx = context
        context.workspace.withhold.cloud = self.profile.effective_locality() == "cloud"
        self.sink = sink
        self.tools = tools
        self.policy = policy or Policy()
        self.gate = ApprovalGate(self.policy, approver, self.emit)
        self.limits = limits or Limits()
        self.totals = Totals()
        self.steps = 0
        self.format_errors = 0
        self.pending_user: list[tuple[str, list[Attachment]]] = []
        self.started_extra = started_extra or {}
        self.result_filter = result_filter
        self.checkpoints = checkpoints
        self.reply_language = reply_language
        self.notices = list(notices or [])
        self.keeper = ContextKeeper(self, roles)  # the window: condensed by the summarise role, reported
        self.running = False
        self._window = window
        self._token_count = token_count
        self._conversation: Conversation | None = None
        self._budget: Budget | None = None
        self._counter: CachedCounter | None = None
        self._repo_map_text = ""
        self._next_gateway: Gateway | None = None
        self._task_turn: Message | None = None
        self._native = self.profile.tool_mode == "native"
        self._constrained = self.profile.tool_mode == "constrained"

    def emit(self, event: Event) -> None:
        self.sink(event)

    # -- set-up -------------------------------------------------------------------------------
    def _prompt(self) -> Prompt:
        """The system prompt and budget for the current model; its counter and budget become the session's."""
        prompt = build_prompt(
            self.profile,
            model_shape(self.profile, self._window),
            self.tools.openai_schemas(),
            self.ctx.workspace.root,
            self._repo_map_text,
            self._token_count,
            self.reply_language,
        )
        self._counter, self._budget = prompt.counter, prompt.budget
        return prompt

    async def _repo_map(self) -> str:
        """The workspace's ranked definitions for the system prompt, built off the event loop."""
        shape = model_shape(self.profile, self._window)
        budget = prompt_budget(shape.window, shape.compact)
        withhold = self.ctx.workspace.withhold
        return await asyncio.to_thread(map_for_prompt, self.ctx.workspace.root, budget, self.task, 5.0, withhold)

    def _prepare(self, repo_map: str = "") -> Conversation:
        self._repo_map_text = repo_map
        prompt = self._prompt()
        shape = model_shape(self.profile, self._window)
        self.emit(
            TaskStarted(
                task_id=self.task_id,
                task=self.task,
                workspace=str(self.ctx.workspace.root),
                model=self.profile.model,
                profile=self.profile.name,
                locality=self.profile.effective_locality(),
                rules=prompt.rules,
                tools=self.tools.names(),
                prompt="compact" if shape.compact else "full",
                extra={"window": shape.window, "tool_mode": self.profile.tool_mode, **self.started_extra},
            )
        )
        self.notify(self.notices)
        conversation = Conversation(system=prompt.system, task={})
        self._frame_task(conversation)
        return conversation

    def _frame_task(self, conversation: Conversation) -> None:
        """The task turn, and in constrained mode the example turns before it (see agent/calls/constrained)."""
        if self._task_turn is None:  # attached once: a model switch re-frames the same turn
            self._task_turn = self._attached(self.task, self.attachments)
        if self._constrained and not self.attachments:
            conversation.task, conversation.examples = task_message(self.task), list(EXAMPLE_TURNS)
        else:
            conversation.task, conversation.examples = self._task_turn, list(EXAMPLE_TURNS) if self._constrained else []

    def _attached(self, text: str, attachments: list[Attachment]) -> Message:
        """A user message with its attachments, through the result filter; recorded as `context_attached`."""
        assert self._budget is not None and self._counter is not None
        message, attached = attached_message(
            self.task_id,
            text,
            attachments,
            result_filter=self.result_filter,
            cap_chars=self._budget.tool_output_chars(),
            count=self._counter,
        )
        if attached is not None:
            self.emit(attached)
        return message

    def notify(self, notices: Sequence[str | Event]) -> None:
        """What the front ends and the trace should know: a text is a `model_notice`, an event is sent as is."""
        for message in notices:
            self.emit(message if isinstance(message, Event) else ModelNotice(self.task_id, self.profile.name, message))

    def use_model(self, gateway: Gateway) -> None:
        """Continue with another model from the next step: its tool mode, window and prompt apply at once,
        and the conversation so far is restated for it when it calls tools differently."""
        previous = self.profile
        self.gateway = gateway
        self.profile = gateway.profile
        to_cloud = previous.effective_locality() == "local" and self.profile.effective_locality() == "cloud"
        self.ctx.workspace.withhold.cloud = self.profile.effective_locality() == "cloud"
        was_native = self._native
        self._native = self.profile.tool_mode == "native"
        self._constrained = self.profile.tool_mode == "constrained"
        if self._conversation is None:
            return
        if to_cloud:
            self._repo_map_text = ""  # built for the local model: it may name withheld files' definitions
        self._conversation.system = self._prompt().system
        if to_cloud:
            self._filter_history_for_cloud()
        self._frame_task(self._conversation)
        if was_native != self._native:
            self._conversation.turns = restate(self._conversation.turns, self._native)
        window = model_shape(self.profile, self._window).window
        same = (previous.name, previous.model, previous.tool_mode) == (
            self.profile.name,
            self.profile.model,
            self.profile.tool_mode,
        )
        if same:  # the same model reopened (e.g. the embedded server restarted on another port)
            return
        self.emit(
            ModelChanged(
                task_id=self.task_id,
                previous_profile=previous.name,
                profile=self.profile.name,
                model=self.profile.model,
                locality=self.profile.effective_locality(),
                tool_mode=self.profile.tool_mode,
                window=window,
            )
        )

    def rewind(self, turns: list[list[Message]], native: bool) -> None:
        """Continue from these turns (written in the `native` tool mode or not) instead of the conversation so far."""
        assert self._conversation is not None, "only a session that has run can be rewound"
        self._conversation.turns = restate(turns, self._native) if native != self._native else turns

    def request_model(self, gateway: Gateway) -> None:
        """Switch models at the start of the next step (a step under way finishes with the model it began with)."""
        self._next_gateway = gateway

    def _filter_history_for_cloud(self) -> None:
        """Results a local model saw unfiltered pass the cloud filter before a cloud model sees them."""
        assert self._conversation is not None
        if self.result_filter is None:
            return
        for turn in self._conversation.turns:
            for message in turn:
                content = message.get("content")
                if message.get("role") in ("tool", "user") and isinstance(content, str) and content:
                    message["content"] = self.result_filter("earlier result", {}, content)

    # -- the loop -------------------------------------------------------------------------------
    async def run(self) -> SessionResult:
        """Run until the model completes the task, a limit is hit, an error ends it, or it is cancelled."""
        self.running = True
        try:
            if self._conversation is None:
                self._conversation = self._prepare(await self._repo_map())
            while True:
                await self.step()
        except Completed as done:
            return self._finish("completed", str(done))
        except LimitExceeded as limit:
            return self._finish("limit", str(limit))
        except AgentExit as error:
            return self._fail(str(error))
        except asyncio.CancelledError:
            self._finish("cancelled", "the task was cancelled")
            raise
        finally:
            self.keeper.run_ended()

    def follow_up(self, text: str, attachments: list[Attachment] | None = None) -> None:
        """Queue a user message (with what its mentions attach); it joins the conversation at the next step
        (or the next `run`). Images for a model without vision are refused here, before anything is queued."""
        refuse_without_vision(self.profile, attachments or [])
        self.pending_user.append((text, attachments or []))

    async def step(self) -> None:
        if self._next_gateway is not None:
            gateway, self._next_gateway = self._next_gateway, None
            self.use_model(gateway)
        self.totals.check(self.limits, self.steps, self.profile.model)
        self.steps += 1
        self._take_pending_user_messages()
        await self.keeper.before_query()
        reply = await self.query()
        await self.execute(reply)

    # -- one step -------------------------------------------------------------------------------
    async def query(self) -> ModelReply:
        assert self._conversation is not None and self._budget is not None and self._counter is not None
        messages = self._conversation.messages_within(self._budget, self._counter)
        self.keeper.report_trim()
        on_request = request_recorder(
            self.emit, self.task_id, self.steps, self.profile.model, self.profile.effective_locality()
        )
        reply = await self.gateway.complete(
            messages,
            tools=self.tools.openai_schemas() if self._native else None,
            # Constrained output is a JSON tool call, not prose for the user: it is shown as the call.
            on_text=None if self._constrained else lambda text: self.emit(TextDelta(task_id=self.task_id, text=text)),
            on_request=on_request,
            extra_params=constraint_params(self.tools.openai_schemas()) if self._constrained else None,
        )
        self.emit(self.totals.add(self.task_id, self.steps, reply.stats))
        self.keeper.after_call(messages, reply)
        return reply

    async def execute(self, reply: ModelReply) -> None:
        assert self._conversation is not None
        try:
            if self._constrained:
                calls = extract_constrained_call(reply.text)
            else:
                calls = reply.tool_calls if self._native else extract_text_calls(reply.text)
        except MalformedCall as problem:
            self._conversation.add_turn([{"role": "assistant", "content": reply.text}])
            self._repair(str(problem))
            return
        if not calls:
            self._conversation.add_turn([{"role": "assistant", "content": reply.text or "(no answer)"}])
            self._repair(
                "you did not call a tool. Call a tool to make progress, or attempt_completion if the task is done"
            )
            return
        turn: list[Message] = [assistant_message(reply.text, calls, self._native)]
        self._conversation.add_turn(turn)
        completion: str | None = None
        for call in calls:
            ok, text = await self._handle_call(call)
            if call.name == "attempt_completion" and ok:
                completion = text
            turn.append(result_message(call, text, self._native))
        if completion is not None:
            raise Completed(completion)

    async def _handle_call(self, call: ToolCall) -> tuple[bool, str]:
        """Validate, decide, run one call; returns (ok, text fed back to the model)."""
        try:
            parsed = validate_call(call, self.tools)
        except MalformedCall as problem:
            self.format_errors += 1
            if self.format_errors >= self.limits.max_format_errors:
                raise FormatError(
                    f"the model sent {self.format_errors} malformed tool calls in a row; last problem: {problem}. "
                    'Try a stronger model, or the text tool mode (tool_mode = "text") for this profile.'
                ) from problem
            return False, f"Error: {problem}. Fix the call and try again."
        self.format_errors = 0
        self.emit(
            ToolCallProposed(
                task_id=self.task_id,
                call_id=call.id,
                tool=call.name,
                category=parsed.tool.category.value,
                arguments=parsed.arguments,
            )
        )
        decision = await self.gate.decide(self.task_id, parsed, self.ctx)
        if not decision.approved:
            return False, f"Not run: {decision.reason}"
        note = ""
        if decision.content is not None:  # the user's version of the proposed file is what is written
            parsed, note = as_edited(parsed, decision.content, self.tools)
        if self.checkpoints is not None:
            await self.checkpoints.before_tool(parsed.tool.category, self.steps, self.task_id, self.emit)
        result = await run_tool(parsed, self.ctx, self.policy)
        capped = note + cap_middle(result.output, self._budget.tool_output_chars() if self._budget else 20_000)
        self.emit(
            ToolResultEvent(
                task_id=self.task_id,
                call_id=call.id,
                tool=call.name,
                ok=result.ok,
                output=result.output,
                duration_s=float(result.data.get("duration_s", 0.0)),
                file_changes=result.file_changes,
                data=result.data,
            )
        )
        if self.result_filter is not None and self.profile.effective_locality() == "cloud":
            capped = self.result_filter(call.name, parsed.arguments, capped)
        return result.ok, capped

    # -- helpers ------------------------------------------------------------------------------
    def _repair(self, problem: str) -> None:
        assert self._conversation is not None
        self.format_errors += 1
        if self.format_errors >= self.limits.max_format_errors:
            raise FormatError(
                f"the model failed to make a usable tool call {self.format_errors} times in a row; last problem: "
                f"{problem}. Try a stronger model, or another tool_mode for this profile."
            )
        self._conversation.add_turn([{"role": "user", "content": f"Error: {problem}."}])

    def _take_pending_user_messages(self) -> None:
        assert self._conversation is not None
        while self.pending_user:
            text, attachments = self.pending_user.pop(0)
            self.emit(UserMessage(task_id=self.task_id, text=text))
            self._conversation.add_turn([self._attached(text, attachments)])

    def _finish(self, outcome: Outcome, message: str) -> SessionResult:
        self.emit(TaskFinished(task_id=self.task_id, outcome=outcome, result=message, steps=self.steps))
        return SessionResult(self.task_id, outcome, message, self.steps, self.totals)

    def _fail(self, error: str) -> SessionResult:
        self.emit(TaskFailed(task_id=self.task_id, error=error, steps=self.steps))
        return SessionResult(self.task_id, "failed", error, self.steps, self.totals)


__all__ = ["ContextOverflow", "Limits", "ModelError", "Session", "SessionResult", "Totals"]
