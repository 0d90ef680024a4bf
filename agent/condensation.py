"""Condensing a conversation that nears its model's window: the oldest turns replaced by a summary.

Before a step whose request would fill `CONDENSE_AT` of the prompt's budget, or when a person asks
(*Condense now*), every turn but the newest ones (those that fit in `KEEP_SHARE`) is summarised by the
`summarise` role's model (default: the task's own) in a call of its own through the gateway, recorded
like every model call (`model_request` / `model_response` with role "summarise"). The summary then
stands for those turns in every later request (`context_condensed`, the trace's `condensation` record).
When no summary can be had (the model fails, or its summary is no smaller than the turns), a
`condense_failed` event says why, and a request that must still leave turns out says so
(`context_trimmed`): nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from agent.context import (
    CHARS_PER_TOKEN_FLOOR,
    Budget,
    CachedCounter,
    Conversation,
    Message,
    model_shape,
    summary_message,
)
from agent.context_usage import context_usage
from agent.errors import ModelError
from agent.events import CondenseFailed, CondenseTrigger, ContextCondensed, ContextTrimmed, request_recorder
from agent.models.gateway import ModelReply
from prompts import template
from tools.workspace.output import cap_middle

if TYPE_CHECKING:
    from agent.models.roles import RoleProfiles
    from agent.ports import Gateway
    from agent.session import Session

CONDENSE_AT = 0.8
"""Share of the prompt's budget (agent/context.py `Budget.prompt_limit`) at which the conversation is condensed."""
KEEP_SHARE = 0.3
"""The newest turns kept as they are take at most this share of the budget (the newest one always)."""
SUMMARY_SHARE = 0.15
"""Tokens the summary may take, as a share of the budget."""
MESSAGE_CHARS = 4_000
"""Characters of one message the summarising model reads (tool output is cut in the middle)."""
RETRY_AFTER_TURNS = 2
"""After a failed automatic condensation, the next is tried once this many turns more have come."""


class CondenseError(Exception):
    """No summary could be made; the message says why."""


class ContextKeeper:
    """A session's window: condensation before a step or on request, and what each request holds."""

    def __init__(self, session: Session, roles: RoleProfiles | None) -> None:
        self.session = session
        self.roles = roles
        self.requested: list[asyncio.Future[ContextCondensed]] = []
        """Condense-now requests made during a step, answered at the start of the next one."""
        self._failed_at: int | None = None
        self._failure = ""
        self._last_trim: tuple[int, int] | None = None
        self._lock = asyncio.Lock()
        """One condensation at a time (a person's and the automatic one)."""

    # -- when -------------------------------------------------------------------------------------
    async def condense_now(self) -> ContextCondensed:
        """Condense on request: at once between runs, else at the start of the next step (or the run's end)."""
        if self.session._conversation is None:
            raise CondenseError("the task has not started its conversation yet")
        if not self.session.running:
            return await self.condense("manual")
        future: asyncio.Future[ContextCondensed] = asyncio.get_running_loop().create_future()
        self.requested.append(future)
        return await future

    def run_ended(self) -> None:
        """The session's run ended; condense-now requests it left unanswered are answered now, between runs."""
        self.session.running = False
        if self.requested:
            asyncio.get_running_loop().create_task(self._answer_requests())

    async def _answer_requests(self) -> None:
        requested, self.requested = self.requested, []
        for future in requested:
            await self._answer(future)

    async def _answer(self, future: asyncio.Future[ContextCondensed]) -> None:
        try:
            result = await self.condense("manual")
        except CondenseError as error:
            if not future.done():
                future.set_exception(error)
        else:
            if not future.done():
                future.set_result(result)

    async def before_query(self) -> None:
        """Condense as asked, or when the next request would near the window."""
        conversation, budget, counter = self._state()
        requested, self.requested = self.requested, []
        for future in requested:
            await self._answer(future)
        if requested or not self.due(conversation, budget, counter):
            return
        try:
            await self.condense("auto")
        except CondenseError:
            self._failed_at = len(conversation.turns)

    def due(self, conversation: Conversation, budget: Budget, counter: CachedCounter) -> bool:
        if len(conversation.turns) < 2 or conversation.tokens(counter) < CONDENSE_AT * budget.prompt_limit:
            return False
        return self._failed_at is None or len(conversation.turns) >= self._failed_at + RETRY_AFTER_TURNS

    # -- how --------------------------------------------------------------------------------------
    async def condense(self, trigger: CondenseTrigger) -> ContextCondensed:
        """Replace the oldest turns by a summary; `CondenseError` (after a `condense_failed` event) when not."""
        async with self._lock:
            return await self._condense(trigger)

    async def _condense(self, trigger: CondenseTrigger) -> ContextCondensed:
        conversation, budget, counter = self._state()
        count = replaceable(conversation, budget, counter, manual=trigger == "manual")
        if count == 0:
            raise self._failed(
                trigger,
                "",
                f"nothing to condense: the conversation has {len(conversation.turns)} "
                "turn(s) after the task, and the newest is always kept",
            )
        first, last = conversation.first_turn, conversation.first_turn + count - 1
        replaced = conversation.turns[:count]
        replaced_tokens = sum(counter.message(m) for turn in replaced for m in turn)
        if conversation.summary is not None:
            replaced_tokens += counter.message(conversation.summary)
        before = conversation.tokens(counter) + budget.tool_schema_tokens
        async with self._gateway(trigger) as gateway:
            try:
                reply = await self._summarise(gateway, conversation, replaced, budget, first)
            except ModelError as error:
                raise self._failed(trigger, gateway.profile.name, f"the summarise model failed: {error}") from error
            text = reply.text.strip()
            summary = summary_message(1, last, text)
            if not text or counter.message(summary) >= replaced_tokens:
                size = f"{counter.message(summary):,} tokens" if text else "empty"
                raise self._failed(
                    trigger,
                    gateway.profile.name,
                    f"the summary was {size}, no smaller than the {replaced_tokens:,} tokens of the turns it "
                    "would replace",
                )
            conversation.summary = summary
            conversation.turns = conversation.turns[count:]
            conversation.first_turn = last + 1
            self._failed_at, self._failure = None, ""
            event = ContextCondensed(
                task_id=self.session.task_id,
                step=self.session.steps,
                trigger=trigger,
                first_turn=first,
                last_turn=last,
                turns_replaced=count,
                tokens_before=before,
                tokens_after=conversation.tokens(counter) + budget.tool_schema_tokens,
                summary=text,
                profile=gateway.profile.name,
                model=gateway.profile.model,
                locality=gateway.profile.effective_locality(),
            )
        self.session.emit(event)
        return event

    async def _summarise(
        self, gateway: Gateway, conversation: Conversation, turns: list[list[Message]], budget: Budget, first: int
    ) -> ModelReply:
        session = self.session
        step = session.steps
        cloud = gateway.profile.effective_locality() == "cloud"
        messages = summarise_messages(
            session.task,
            str((conversation.summary or {}).get("content") or ""),
            turns,
            first,
            max_words=max(60, int(budget.prompt_limit * SUMMARY_SHARE * 0.7)),
            outgoing=session.result_filter if cloud else None,
        )
        # The summarising model may have a smaller window than the task's: what it reads is cut to fit.
        shape = model_shape(gateway.profile)
        room = int(
            (shape.window - min(gateway.profile.max_output_tokens, shape.window // 4)) * 0.8 * CHARS_PER_TOKEN_FLOOR
        )
        messages[1]["content"] = cap_middle(str(messages[1]["content"]), max(2_000, room - len(messages[0]["content"])))
        profile = gateway.profile
        on_request = request_recorder(
            session.emit, session.task_id, step, profile.model, profile.effective_locality(), "summarise"
        )
        reply = await gateway.complete(messages, on_request=on_request)
        session.emit(session.totals.add(session.task_id, step, reply.stats, role="summarise"))
        return reply

    @asynccontextmanager
    async def _gateway(self, trigger: CondenseTrigger) -> AsyncIterator[Gateway]:
        """The summarise role's model; the task's own when the role names none (or the task's profile)."""
        name = self.roles.profile_name("summarise") if self.roles is not None else None
        if self.roles is None or name is None or name == self.session.profile.name:
            yield self.session.gateway
            return
        async with AsyncExitStack() as stack:
            try:
                gateway: Gateway = await stack.enter_async_context(self.roles.gateway("summarise"))
            except Exception as error:  # a profile that cannot be opened: refused, unknown, not started
                raise self._failed(
                    trigger, name, f"the summarise profile {name!r} could not be opened: {error}"
                ) from error
            yield gateway

    def _failed(self, trigger: CondenseTrigger, profile: str, error: str) -> CondenseError:
        self._failure = error
        self.session.emit(
            CondenseFailed(
                task_id=self.session.task_id, step=self.session.steps, trigger=trigger, error=error, profile=profile
            )
        )
        return CondenseError(error)

    # -- what each request holds --------------------------------------------------------------------
    def report_trim(self) -> None:
        """Say what the request about to be sent leaves out (once per new cut)."""
        conversation, _, _ = self._state()
        session = self.session
        trim = conversation.trim
        if trim is not None and (trim.first_turn, trim.last_turn) != self._last_trim:
            reason = self._failure or "no summary stands for these turns yet"
            session.emit(
                ContextTrimmed(
                    task_id=session.task_id,
                    step=session.steps,
                    first_turn=trim.first_turn,
                    last_turn=trim.last_turn,
                    turns_dropped=trim.turns,
                    tokens_before=trim.tokens_before,
                    tokens_after=trim.tokens_after,
                    reason=f"{trim.turns} turn(s) left out of the request to fit the window: {reason}",
                )
            )
        self._last_trim = (trim.first_turn, trim.last_turn) if trim is not None else None

    def after_call(self, messages: list[Message], reply: ModelReply) -> None:
        """How full the window is, from the request just answered."""
        conversation, budget, counter = self._state()
        session = self.session
        session.emit(
            context_usage(
                session.task_id,
                session.steps,
                conversation,
                messages,
                budget,
                counter,
                reported=reply.stats.prompt_tokens,
                condense_at=CONDENSE_AT,
            )
        )

    def _state(self) -> tuple[Conversation, Budget, CachedCounter]:
        session = self.session
        conversation, budget, counter = session._conversation, session._budget, session._counter
        assert conversation is not None and budget is not None and counter is not None
        return conversation, budget, counter


def replaceable(conversation: Conversation, budget: Budget, counter: CachedCounter, *, manual: bool) -> int:
    """How many of the oldest turns to replace: all but the newest that fit in `KEEP_SHARE` of the budget
    (the newest always kept); asked for by a person, all but the newest."""
    if len(conversation.turns) < 2:
        return 0
    if manual:
        return len(conversation.turns) - 1
    room = KEEP_SHARE * budget.prompt_limit
    kept = 0
    for turn in reversed(conversation.turns):
        cost = sum(counter.message(m) for m in turn)
        if kept and cost > room:
            break
        room -= cost
        kept += 1
    return len(conversation.turns) - kept


def summarise_messages(
    task: str,
    previous: str,
    turns: list[list[Message]],
    first: int,
    *,
    max_words: int,
    outgoing: Any = None,
) -> list[Message]:
    """The summarise call: its instructions, then the task, the summary so far and the turns to fold in.
    `outgoing`: the cloud filter each message passes when the summarising model is a cloud one."""
    lines = [f"The task: {task}", ""]
    if previous:
        lines += ["The summary so far (of the turns before these):", previous, ""]
    last = first + len(turns) - 1
    lines += [f"The conversation to summarise (turns {first}-{last}):", ""]
    for number, turn in enumerate(turns, start=first):
        lines.append(f"--- turn {number}")
        lines += [_transcript_line(message, outgoing) for message in turn]
    system = template("summarise").format(max_words=max_words).strip()
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(lines)}]


def _transcript_line(message: Message, outgoing: Any) -> str:
    role = str(message.get("role") or "")
    content = message.get("content")
    if isinstance(content, list):
        text = " ".join(str(p.get("text") or "[image]") for p in content if isinstance(p, dict))
    else:
        text = str(content or "")
    if outgoing is not None and role in ("tool", "user") and text:
        text = outgoing("earlier result", {}, text)
    calls = [
        f"[calls {c['function']['name']}({c['function']['arguments']})]"
        for c in message.get("tool_calls") or []
        if isinstance(c, dict) and isinstance(c.get("function"), dict)
    ]
    speaker = {"assistant": "Agent", "tool": "Tool result", "user": "User"}.get(role, role)
    body = cap_middle(" ".join([text, *calls]).strip(), MESSAGE_CHARS)
    return f"{speaker}: {body}"
