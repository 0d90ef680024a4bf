"""The agent loop: ask the model, run the tools it calls, repeat until done or out of budget."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from agent.approval import ApprovalGate, Approver
from agent.calls.constrained import constraint_params, extract_constrained_call
from agent.calls.text import MalformedCall, ParsedCall, extract_text_calls, validate_call
from agent.checkpointing import StepCheckpoints
from agent.context import (
    Budget,
    CachedCounter,
    Conversation,
    TokenCount,
    litellm_token_counter,
    schema_tokens,
)
from agent.errors import AgentExit, Completed, ContextOverflow, FormatError, LimitExceeded, ModelError
from agent.events import (
    Event,
    EventSink,
    ModelRequest,
    Outcome,
    TaskFailed,
    TaskFinished,
    TaskStarted,
    TextDelta,
    ToolCallProposed,
    ToolResultEvent,
    Usage,
    UserMessage,
)
from agent.models.gateway import ModelReply, ToolCall
from agent.models.profile import ModelProfile
from agent.rules import load_rules
from prompts import render_system_prompt
from tools.base import ToolContext, ToolError, ToolResult
from tools.policy.evaluate import Policy
from tools.registry import ToolRegistry
from tools.workspace.jail import PathError
from tools.workspace.output import cap_middle
from tools.workspace.repomap import map_for_prompt, prompt_budget

COMPACT_WINDOW_THRESHOLD = 16_384


class Gateway(Protocol):
    profile: ModelProfile

    async def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        on_text: Any = None,
        extra_params: dict[str, Any] | None = None,
        on_request: Any = None,
    ) -> ModelReply: ...


class ResultFilter(Protocol):
    """Rewrites a tool result before it enters the conversation (e.g. what may go to a cloud model)."""

    def __call__(self, tool: str, arguments: dict[str, Any], text: str) -> str: ...


@dataclass
class Limits:
    max_steps: int = 50
    max_tokens: int | None = None
    """Prompt plus completion tokens over the whole task."""
    max_cost_usd: float | None = None
    max_format_errors: int = 3
    """Malformed tool calls in a row before the task fails."""


@dataclass
class Totals:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


@dataclass
class SessionResult:
    task_id: str
    outcome: Outcome
    message: str
    steps: int
    totals: Totals = field(default_factory=Totals)


def new_task_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


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
    ) -> None:
        self.task = task
        self.task_id = task_id or context.task_id or new_task_id()
        context.task_id = self.task_id
        self.gateway = gateway
        self.profile = gateway.profile
        self.ctx = context
        self.sink = sink
        self.tools = tools
        self.policy = policy or Policy()
        self.gate = ApprovalGate(self.policy, approver, self.emit)
        self.limits = limits or Limits()
        self.totals = Totals()
        self.steps = 0
        self.format_errors = 0
        self.pending_user: list[str] = []
        self.started_extra = started_extra or {}
        self.result_filter = result_filter
        self.checkpoints = checkpoints
        self._window = window
        self._token_count = token_count
        self._conversation: Conversation | None = None
        self._budget: Budget | None = None
        self._counter: CachedCounter | None = None
        self._native = self.profile.tool_mode == "native"
        self._constrained = self.profile.tool_mode == "constrained"

    def emit(self, event: Event) -> None:
        self.sink(event)

    # -- set-up -------------------------------------------------------------------------------
    def _shape(self) -> tuple[int, bool]:
        """The model's window and whether it gets the compact prompt."""
        from agent.context import window_for

        window = self._window or window_for(self.profile.model, self.profile.context_window)
        compact = self.profile.compact_prompt
        if compact is None:
            compact = window <= COMPACT_WINDOW_THRESHOLD
        return window, compact

    async def _repo_map(self) -> str:
        """The workspace's ranked definitions for the system prompt, built off the event loop."""
        window, compact = self._shape()
        budget = prompt_budget(window, compact)
        return await asyncio.to_thread(map_for_prompt, self.ctx.workspace.root, budget, self.task)

    def _prepare(self, repo_map: str = "") -> Conversation:
        rules = load_rules(self.ctx.workspace.root)
        window, compact = self._shape()
        schemas = self.tools.openai_schemas()
        system = render_system_prompt(
            compact=compact,
            workspace=str(self.ctx.workspace.root),
            rules=rules.text,
            text_protocol_tools=None if self._native else schemas,
            constrained=self._constrained,
            repo_map=repo_map,
        )
        self._counter = CachedCounter(self._token_count or litellm_token_counter(self.profile.model))
        self._budget = Budget(
            window=window,
            reserved_output=min(self.profile.max_output_tokens, window // 4),
            tool_schema_tokens=schema_tokens(schemas, self._counter) if self._native else 0,
        )
        self.emit(
            TaskStarted(
                task_id=self.task_id,
                task=self.task,
                workspace=str(self.ctx.workspace.root),
                model=self.profile.model,
                profile=self.profile.name,
                locality=self.profile.effective_locality(),
                rules=rules.sources,
                tools=self.tools.names(),
                prompt="compact" if compact else "full",
                extra={"window": window, "tool_mode": self.profile.tool_mode, **self.started_extra},
            )
        )
        return Conversation(
            system={"role": "system", "content": system},
            task={"role": "user", "content": self.task},
        )

    # -- the loop -------------------------------------------------------------------------------
    async def run(self) -> SessionResult:
        """Run until the model completes the task, a limit is hit, an error ends it, or it is cancelled."""
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

    def follow_up(self, text: str) -> None:
        """Queue a user message; it joins the conversation at the next step (or the next `run`)."""
        self.pending_user.append(text)

    async def step(self) -> None:
        self._check_limits()
        self.steps += 1
        self._take_pending_user_messages()
        reply = await self.query()
        await self.execute(reply)

    # -- one step -------------------------------------------------------------------------------
    async def query(self) -> ModelReply:
        assert self._conversation is not None and self._budget is not None and self._counter is not None
        messages = self._conversation.messages_within(self._budget, self._counter)
        step = self.steps

        def on_request(body: dict[str, Any]) -> None:
            self.emit(
                ModelRequest(
                    task_id=self.task_id,
                    step=step,
                    model=self.profile.model,
                    locality=self.profile.effective_locality(),
                    body=body,
                )
            )

        reply = await self.gateway.complete(
            messages,
            tools=self.tools.openai_schemas() if self._native else None,
            # Constrained output is a JSON tool call, not prose for the user: it is shown as the call.
            on_text=None if self._constrained else lambda text: self.emit(TextDelta(task_id=self.task_id, text=text)),
            on_request=on_request,
            extra_params=constraint_params(self.tools.openai_schemas()) if self._constrained else None,
        )
        self._account(reply)
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
        turn: list[dict[str, Any]] = [self._assistant_message(reply, calls)]
        self._conversation.add_turn(turn)
        completion: str | None = None
        for call in calls:
            ok, text = await self._handle_call(call)
            if call.name == "attempt_completion" and ok:
                completion = text
            turn.append(self._result_message(call, text))
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
        if self.checkpoints is not None:
            await self.checkpoints.before_tool(parsed.tool.category, self.steps, self.task_id, self.emit)
        result = await self._run_tool(parsed)
        capped = cap_middle(result.output, self._budget.tool_output_chars() if self._budget else 20_000)
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
        if self.result_filter is not None:
            capped = self.result_filter(call.name, parsed.arguments, capped)
        return result.ok, capped

    async def _run_tool(self, parsed: ParsedCall) -> ToolResult:
        refusal = self.policy.refusal_at_execution(parsed.tool.category)
        if refusal is not None:  # enforced here too, whatever an approver said
            return ToolResult(ok=False, output=f"Error: {refusal}")
        started = time.monotonic()
        try:
            result = await parsed.tool.run(parsed.args, self.ctx)
        except (ToolError, PathError) as error:
            result = ToolResult(ok=False, output=f"Error: {error}")
        except OSError as error:
            result = ToolResult(ok=False, output=f"Error: {parsed.tool.name} failed: {error}")
        if "duration_s" not in result.data:
            result.data["duration_s"] = round(time.monotonic() - started, 4)
        return result

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

    def _assistant_message(self, reply: ModelReply, calls: list[ToolCall]) -> dict[str, Any]:
        if not self._native:
            return {"role": "assistant", "content": reply.text}
        return {
            "role": "assistant",
            "content": reply.text or None,
            "tool_calls": [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in calls
            ],
        }

    def _result_message(self, call: ToolCall, text: str) -> dict[str, Any]:
        if self._native:
            return {"role": "tool", "tool_call_id": call.id, "content": text}
        return {"role": "user", "content": f"Result of {call.name}:\n{text}"}

    def _take_pending_user_messages(self) -> None:
        assert self._conversation is not None
        while self.pending_user:
            text = self.pending_user.pop(0)
            self.emit(UserMessage(task_id=self.task_id, text=text))
            self._conversation.add_turn([{"role": "user", "content": text}])

    def _account(self, reply: ModelReply) -> None:
        stats = reply.stats
        self.totals.prompt_tokens += stats.prompt_tokens
        self.totals.completion_tokens += stats.completion_tokens
        self.totals.cost_usd += stats.cost_usd
        self.emit(
            Usage(
                task_id=self.task_id,
                step=self.steps,
                model=stats.model,
                locality=stats.locality,
                prompt_tokens=stats.prompt_tokens,
                completion_tokens=stats.completion_tokens,
                cost_usd=stats.cost_usd,
                latency_s=round(stats.latency_s, 4),
                response_model=stats.response_model,
                system_fingerprint=stats.system_fingerprint,
                provenance=stats.provenance,
                total_prompt_tokens=self.totals.prompt_tokens,
                total_completion_tokens=self.totals.completion_tokens,
                total_cost_usd=round(self.totals.cost_usd, 6),
            )
        )

    def _check_limits(self) -> None:
        if self.steps >= self.limits.max_steps:
            raise LimitExceeded(f"stopped after {self.steps} steps (the step limit); raise it with --max-steps")
        used = self.totals.prompt_tokens + self.totals.completion_tokens
        if self.limits.max_tokens is not None and used >= self.limits.max_tokens:
            raise LimitExceeded(f"stopped after using {used:,} tokens (the limit is {self.limits.max_tokens:,})")
        if self.limits.max_cost_usd is not None and self.totals.cost_usd >= self.limits.max_cost_usd:
            raise LimitExceeded(
                f"stopped after spending ${self.totals.cost_usd:.4f} (the limit is ${self.limits.max_cost_usd:.4f})"
            )

    def _finish(self, outcome: Outcome, message: str) -> SessionResult:
        self.emit(TaskFinished(task_id=self.task_id, outcome=outcome, result=message, steps=self.steps))
        return SessionResult(self.task_id, outcome, message, self.steps, self.totals)

    def _fail(self, error: str) -> SessionResult:
        self.emit(TaskFailed(task_id=self.task_id, error=error, steps=self.steps))
        return SessionResult(self.task_id, "failed", error, self.steps, self.totals)


__all__ = ["ContextOverflow", "Limits", "ModelError", "Session", "SessionResult", "new_task_id"]
