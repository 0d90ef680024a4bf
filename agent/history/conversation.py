"""A past task's conversation rebuilt from its trace: the messages a model continues from.

The base is the exact body of the last model request at or before the chosen step (the trace keeps
every body, agent/trace/requests.py); the reply to it and the results of its tool calls, which no later
request holds yet, are rebuilt from the step's records in the tool mode that request used. A trace that
continues another (its header's `continues`) and has no request yet rebuilds from the one it continues;
one a person rewound ("restore task") since its last request rebuilds as it was at that step. Only the
task's own requests count (not those that wrote a summary or a commit message); a condensation recorded
after the base request replaces the turns it names by its summary, as it did live.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.calls.constrained import EXAMPLE_TURNS, task_message
from agent.calls.turns import assistant_message, result_message
from agent.context import SUMMARY_PREFIX, summary_message
from agent.history.replay import blob_text
from agent.history.rewind import last_rewind
from agent.history.timeline import continued_id
from agent.models.gateway import ToolCall
from agent.trace.packs import TraceBlobs
from agent.trace.reading import TraceError, read_trace
from agent.trace.requests import RequestError, RequestReader
from tools.workspace.output import cap_middle

Message = dict[str, Any]
Record = dict[str, Any]
RESULT_CHARS = 20_000
"""A rebuilt tool result is capped like a live one without a budget (agent/session.py)."""
TRIM_MARKER = "earlier turn(s) were trimmed to fit the context window]"
MAX_CHAIN = 64


@dataclass
class RebuiltConversation:
    """What a resumed session starts from (and what "rewind to step N" restores)."""

    trace: Path
    task_id: str
    task: str
    """The task as first given (the trace's `task_start`)."""
    task_turn: Message
    """The task's user message as the model saw it (with what its mentions attached)."""
    turns: list[list[Message]] = field(default_factory=list)
    """The turns after the task, oldest first, as in `agent.context.Conversation.turns`."""
    examples: list[Message] = field(default_factory=list)
    native: bool = True
    """The tool mode the turns are written in (a resumed session restates them for another mode)."""
    step: int = 0
    """The last step the turns include."""
    trimmed: int = 0
    """Turns the base request had already trimmed to fit the window (not rebuilt)."""
    locality: str = ""
    """Where the model that last saw these turns ran (local | cloud)."""
    summary: Message | None = None
    """The summary that stands for the turns before `first_turn` (agent/condensation.py)."""
    first_turn: int = 1
    """The number of `turns[0]` over the whole task."""

    def messages(self) -> list[Message]:
        """The conversation after the system prompt, as one flat list."""
        summary = [self.summary] if self.summary is not None else []
        return [*self.examples, self.task_turn, *summary, *(m for turn in self.turns for m in turn)]

    def condense(self, record: Record) -> None:
        """Apply a `condensation` record: its summary stands for the turns through its `last_turn`."""
        last = int(record.get("last_turn") or 0)
        drop = max(0, min(len(self.turns), last - self.first_turn + 1))
        self.turns = self.turns[drop:]
        self.first_turn = max(self.first_turn + drop, last + 1)
        self.summary = summary_message(1, last, str(record.get("summary") or ""))


def rebuild_conversation(trace: Path, up_to_step: int | None = None) -> RebuiltConversation:
    """The conversation of the trace at `trace` through the end of step `up_to_step` (its model's reply and
    its tool results, not the user message that opened the next step); None: through its last record."""
    return _rebuild(trace, up_to_step, depth=0)


def _rebuild(trace: Path, up_to_step: int | None, depth: int) -> RebuiltConversation:
    raw = read_trace(trace)
    records = raw.valid_records()
    start = next((r for r in records if r.get("kind") == "task_start"), None)
    if start is None:
        raise TraceError(f"{trace} has no task_start record: it is not the trace of a task")
    task_id = str(raw.header.get("task_id") or trace.name.removesuffix(".jsonl"))
    rewind = last_rewind(records) if up_to_step is None and depth < MAX_CHAIN else None
    if rewind is not None:  # rewound by a person ("restore task") and not continued since
        conversation = _rebuild(trace.with_name(f"{rewind.task_id}.jsonl"), rewind.step, depth + 1)
        conversation.trace, conversation.task_id = trace, task_id
        later = records[rewind.at + 1 :]
        conversation.turns += [
            [{"role": "user", "content": r.get("text", "")}] for r in later if r.get("kind") == "user_message"
        ]
        return conversation
    blobs = TraceBlobs(trace)
    base_at, end = _cut(records, up_to_step)
    if base_at is None:
        conversation = _without_request(trace, raw.header, start, task_id, depth)
    else:
        conversation = _from_request(trace, task_id, start, records[base_at], RequestReader(blobs.get))
    tail = records[(base_at + 1 if base_at is not None else 0) : end]
    if base_at is not None:
        step_turn = _last_step_turn(tail, conversation.native, blobs)
        if step_turn:
            conversation.turns.append(step_turn)
    for record in tail:
        step = record.get("step")
        within = up_to_step is None or (isinstance(step, int) and step <= up_to_step)
        if record.get("kind") == "condensation" and within:
            conversation.condense(record)
    if up_to_step is None:  # a follow-up given after the last request, never answered
        conversation.turns += [[{"role": "user", "content": r.get("text", "")}] for r in _trailing_users(tail)]
    return conversation


def _cut(records: list[Record], up_to_step: int | None) -> tuple[int | None, int]:
    """(index of the base request, index where step `up_to_step` ends)."""
    base: int | None = None
    for index, record in enumerate(records):
        if record.get("kind") != "model_request" or record.get("role", "main") != "main":
            continue
        step = record.get("step")
        if up_to_step is not None and isinstance(step, int) and step > up_to_step:
            return base, index
        base = index
    return base, len(records)


def _trailing_users(tail: list[Record]) -> list[Record]:
    last_step = max((i for i, r in enumerate(tail) if r.get("kind") in ("tool_result", "assistant_text")), default=-1)
    return [r for r in tail[last_step + 1 :] if r.get("kind") == "user_message"]


def _from_request(
    trace: Path, task_id: str, start: Record, request: Record, reader: RequestReader
) -> RebuiltConversation:
    try:
        body = json.loads(reader.body(request))
    except (RequestError, ValueError) as error:
        raise TraceError(f"record {request.get('seq')} of {trace}: the request cannot be rebuilt ({error})") from error
    messages: list[Message] = list(body.get("messages") or [])
    if messages and messages[0].get("role") == "system":
        messages = messages[1:]
    examples: list[Message] = []
    if messages[: len(EXAMPLE_TURNS)] == EXAMPLE_TURNS:
        examples, messages = messages[: len(EXAMPLE_TURNS)], messages[len(EXAMPLE_TURNS) :]
    if not messages:
        raise TraceError(f"record {request.get('seq')} of {trace}: the request holds no task message")
    task_turn, rest = messages[0], messages[1:]
    summary, first_turn = None, 1
    if rest and rest[0].get("role") == "user" and str(rest[0].get("content", "")).startswith(SUMMARY_PREFIX):
        summary, rest = rest[0], rest[1:]
        first_turn = _summarised_through(str(summary["content"])) + 1
    trimmed = 0
    if rest and rest[0].get("role") == "user" and str(rest[0].get("content", "")).endswith(TRIM_MARKER):
        trimmed = int(str(rest[0]["content"]).lstrip("[").split(" ", 1)[0] or 0)
        rest = rest[1:]
    return RebuiltConversation(
        trace=trace,
        task_id=task_id,
        task=str(start.get("task", "")),
        task_turn=task_turn,
        turns=group_turns(rest),
        examples=examples,
        native="tools" in body,
        step=int(request.get("step") or 0),
        trimmed=trimmed,
        locality=str(request.get("locality") or ""),
        summary=summary,
        first_turn=first_turn + trimmed,
    )


def _summarised_through(content: str) -> int:
    """K of a summary message that begins `[Summary of turns 1-K ...`."""
    head = content[len(SUMMARY_PREFIX) :].split(" ", 1)[0]
    last = head.rsplit("-", 1)[-1]
    return int(last) if last.isdigit() else 0


def _without_request(trace: Path, header: Record, start: Record, task_id: str, depth: int) -> RebuiltConversation:
    """No model request yet: the conversation this trace continues, or just the task."""
    earlier_id = continued_id(header)
    if earlier_id is not None and depth < MAX_CHAIN:
        earlier = trace.parent / f"{earlier_id}.jsonl"
        if earlier.is_file():
            conversation = _rebuild(earlier, None, depth + 1)
            conversation.trace, conversation.task_id, conversation.step = trace, task_id, 0
            return conversation
    task = str(start.get("task", ""))
    config: dict[str, Any] = start["config"] if isinstance(start.get("config"), dict) else {}
    mode = (config.get("extra") or {}).get("tool_mode")
    turn = task_message(task) if mode == "constrained" else {"role": "user", "content": task}
    return RebuiltConversation(
        trace=trace,
        task_id=task_id,
        task=task,
        task_turn=turn,
        examples=list(EXAMPLE_TURNS) if mode == "constrained" else [],
        native=mode == "native",
    )


def group_turns(messages: list[Message]) -> list[list[Message]]:
    """Flat messages as turns: an assistant message with its tool results, or one user message."""
    turns: list[list[Message]] = []
    for message in messages:
        role = message.get("role")
        content = message.get("content")
        is_result = role == "tool" or (role == "user" and isinstance(content, str) and content.startswith("Result of "))
        if turns and is_result:
            turns[-1].append(message)
        else:
            turns.append([message])
    return turns


def _last_step_turn(tail: list[Record], native: bool, blobs: TraceBlobs) -> list[Message]:
    """The reply to the base request and its calls' results, as the session added them (agent/session.py)."""
    text = "".join(str(r.get("text", "")) for r in tail if r.get("kind") == "assistant_text")
    calls = [
        ToolCall(str(r.get("call_id", "")), str(r.get("tool", "")), json.dumps(r.get("arguments") or {}))
        for r in tail
        if r.get("kind") == "tool_call"
    ]
    if not text and not calls:
        return []
    if not calls:
        return [{"role": "assistant", "content": text or "(no answer)"}]
    if not native and not text:  # constrained output is the call itself, never streamed as text
        text = "\n".join(json.dumps({"name": c.name, "arguments": json.loads(c.arguments)}) for c in calls)
    turn = [assistant_message(text, calls, native)]
    results = _results(tail, blobs)
    for call in calls:
        answer = results.get(call.id, "Not run: the task ended before this call ran")
        turn.append(result_message(call, answer, native))
    return turn


def _results(tail: list[Record], blobs: TraceBlobs) -> dict[str, str]:
    results: dict[str, str] = {}
    for record in tail:
        call_id = str(record.get("call_id", ""))
        if record.get("kind") == "approval" and not record.get("approved"):
            results[call_id] = f"Not run: {record.get('reason', '')}"
        elif record.get("kind") == "tool_result":
            output = blob_text(blobs, record.get("output_blob"), str(record.get("output_preview", "")))
            results[call_id] = cap_middle(output, RESULT_CHARS)
    return results
