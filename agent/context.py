"""The context budget: what is sent to the model always fits its window.

The system prompt (with project rules) and the task are always kept; tool output is capped before
it enters the conversation; as the window fills, the oldest turns are condensed into a summary
(agent/condensation.py). Turns are left out of a request only when no summary could stand for them,
and that is reported (`Conversation.trim`), never silent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import ContextOverflow
from agent.models.profile import ModelProfile
from agent.rules import load_rules
from prompts import render_system_prompt
from tools.workspace.output import cap_middle

Message = dict[str, Any]
TokenCount = Callable[[str], int]

DEFAULT_WINDOW = 8192
COMPACT_WINDOW_THRESHOLD = 16_384
"""Models with a window this small or smaller get the compact system prompt."""
PER_MESSAGE_OVERHEAD = 6
SAFETY_FACTOR = 1.15
"""Our count uses a generic tokenizer; the model's own may count more."""
CHARS_PER_TOKEN_FLOOR = 2.5
"""Worst case characters per token when turning a token cap into a character cap."""
IMAGE_PART_TOKENS = 765
"""What an image content part is counted as (providers count by size; this is one high-detail tile)."""


def litellm_token_counter(model: str) -> TokenCount:
    from agent.models.gateway import import_litellm

    litellm = import_litellm()

    def count(text: str) -> int:
        return int(litellm.token_counter(model=model, text=text))

    return count


def window_for(model: str, configured: int | None) -> int:
    if configured:
        return configured
    from agent.models.gateway import import_litellm

    try:
        info = import_litellm().get_model_info(model)
    except Exception:  # litellm raises for models it does not know
        return DEFAULT_WINDOW
    return int(info.get("max_input_tokens") or info.get("max_tokens") or DEFAULT_WINDOW)


class CachedCounter:
    """Counts tokens of strings, remembering each string's count by its hash."""

    def __init__(self, count: TokenCount) -> None:
        self._count = count
        self._cache: dict[bytes, int] = {}

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        key = hashlib.blake2b(text.encode("utf-8", errors="replace"), digest_size=16).digest()
        cached = self._cache.get(key)
        if cached is None:
            cached = self._count(text)
            self._cache[key] = cached
        return cached

    def message(self, message: Message) -> int:
        content = message.get("content")
        if isinstance(content, list):  # content parts: text counted, each image at a flat estimate
            total = PER_MESSAGE_OVERHEAD + sum(
                self(str(part.get("text") or "")) if part.get("type") == "text" else IMAGE_PART_TOKENS
                for part in content
                if isinstance(part, dict)
            )
        else:
            total = PER_MESSAGE_OVERHEAD + self(str(content or ""))
        for call in message.get("tool_calls") or []:
            function = call.get("function", {})
            total += self(function.get("name", "")) + self(function.get("arguments", "")) + PER_MESSAGE_OVERHEAD
        return total


@dataclass
class Budget:
    window: int
    reserved_output: int
    tool_schema_tokens: int = 0

    @property
    def prompt_limit(self) -> int:
        """Tokens (in our count) the messages may use, leaving room for the answer and the schemas."""
        usable = self.window - self.reserved_output - self.tool_schema_tokens
        return int(usable / SAFETY_FACTOR)

    def tool_output_chars(self) -> int:
        """Characters a single tool result may bring into the conversation."""
        return max(1_000, int(self.prompt_limit * 0.25 * CHARS_PER_TOKEN_FLOOR))


SUMMARY_PREFIX = "[Summary of turns "
"""How the message that stands for condensed turns begins (agent/history reads it back from a request)."""


def summary_message(first: int, last: int, text: str) -> Message:
    return {"role": "user", "content": f"{SUMMARY_PREFIX}{first}-{last} of this task, which it replaces]\n{text}"}


@dataclass(frozen=True)
class Trim:
    """Turns a request left out (numbered as in `Conversation.first_turn`), and the tokens before and after."""

    first_turn: int
    last_turn: int
    tokens_before: int
    tokens_after: int

    @property
    def turns(self) -> int:
        return self.last_turn - self.first_turn + 1


@dataclass
class Conversation:
    """System prompt and task (always kept), a summary of condensed turns, then turns: groups of messages."""

    system: Message
    task: Message
    turns: list[list[Message]] = field(default_factory=list)
    examples: list[Message] = field(default_factory=list)
    """Example turns sent between the system prompt and the task (constrained mode), always kept."""
    summary: Message | None = None
    """What stands for the turns before `first_turn` (agent/condensation.py)."""
    first_turn: int = 1
    """The number of `turns[0]` over the whole task (turns condensed before it: `first_turn - 1`)."""
    trim: Trim | None = None
    """What the last request left out to fit the window (None: nothing)."""

    def add_turn(self, messages: list[Message]) -> None:
        self.turns.append(messages)

    def fixed(self) -> list[Message]:
        """What every request begins with: system prompt, examples, task and the summary."""
        return [self.system, *self.examples, self.task, *([self.summary] if self.summary else [])]

    def tokens(self, counter: CachedCounter) -> int:
        """The whole conversation in our count (what a request would need with nothing left out)."""
        return sum(counter.message(m) for m in self.fixed()) + sum(counter.message(m) for t in self.turns for m in t)

    def messages_within(self, budget: Budget, counter: CachedCounter) -> list[Message]:
        """The request's messages: every turn that fits, newest kept, oldest dropped first (see `trim`)."""
        limit = budget.prompt_limit
        fixed = sum(counter.message(m) for m in self.fixed())
        if fixed > limit:
            raise ContextOverflow(
                f"the system prompt, project rules and task need about {fixed:,} tokens but the model's window "
                f"leaves {limit:,}; shorten the task or the rules (AGENTS.md), or choose a model with a larger window"
            )
        marker_cost = PER_MESSAGE_OVERHEAD + 20
        remaining = limit - fixed - marker_cost
        kept: list[list[Message]] = []
        for turn in reversed(self.turns):
            cost = sum(counter.message(m) for m in turn)
            if cost > remaining:
                if not kept:
                    turn = self._shrink(turn, remaining, counter)
                    cost = sum(counter.message(m) for m in turn)
                    if cost <= remaining:
                        kept.append(turn)
                        remaining -= cost
                break
            kept.append(turn)
            remaining -= cost
        dropped = len(self.turns) - len(kept)
        messages = self.fixed()
        self.trim = None
        if dropped:
            messages.append(
                {"role": "user", "content": f"[{dropped} earlier turn(s) were trimmed to fit the context window]"}
            )
            before = self.tokens(counter)
            self.trim = Trim(self.first_turn, self.first_turn + dropped - 1, before, limit - remaining)
        for turn in reversed(kept):
            messages.extend(turn)
        return messages

    @staticmethod
    def _shrink(turn: list[Message], remaining: int, counter: CachedCounter) -> list[Message]:
        """Cut the contents of one turn's messages until the turn fits in `remaining` tokens."""
        shrunk = [dict(m) for m in turn]
        for _ in range(8):
            total = sum(counter.message(m) for m in shrunk)
            if total <= remaining:
                break
            ratio = max(remaining, 1) / total
            for message in shrunk:
                content = message.get("content")
                if isinstance(content, str) and len(content) > 200:
                    message["content"] = cap_middle(content, max(200, int(len(content) * ratio * 0.9)))
        return shrunk


def schema_tokens(tools: list[dict[str, Any]] | None, counter: CachedCounter) -> int:
    if not tools:
        return 0
    return counter(json.dumps(tools, separators=(",", ":"))) + 10 * len(tools)


@dataclass(frozen=True)
class ModelShape:
    window: int
    """Tokens the model accepts in one request."""
    compact: bool
    """Whether it gets the compact system prompt."""


def model_shape(profile: ModelProfile, window: int | None = None) -> ModelShape:
    size = window or window_for(profile.model, profile.context_window)
    compact = profile.compact_prompt if profile.compact_prompt is not None else size <= COMPACT_WINDOW_THRESHOLD
    return ModelShape(size, compact)


@dataclass
class Prompt:
    """What a model is given before the conversation: the system prompt, and the budget it leaves."""

    system: Message
    budget: Budget
    counter: CachedCounter
    rules: list[str]
    """The project rule files the system prompt includes."""


def build_prompt(
    profile: ModelProfile,
    shape: ModelShape,
    schemas: list[dict[str, Any]],
    workspace: Path,
    repo_map: str,
    token_count: TokenCount | None = None,
    reply_language: str | None = None,
) -> Prompt:
    """The system prompt for `profile`'s tool mode, with its token counter and window budget; `reply_language`:
    the language the model answers the user in (None: the prompt's own, English)."""
    native = profile.tool_mode == "native"
    rules = load_rules(workspace)
    text = render_system_prompt(
        compact=shape.compact,
        workspace=str(workspace),
        rules=rules.text,
        text_protocol_tools=None if native else schemas,
        constrained=profile.tool_mode == "constrained",
        repo_map=repo_map,
        reply_language=reply_language,
    )
    counter = CachedCounter(token_count or litellm_token_counter(profile.model))
    budget = Budget(
        window=shape.window,
        reserved_output=min(profile.max_output_tokens, shape.window // 4),
        tool_schema_tokens=schema_tokens(schemas, counter) if native else 0,
    )
    return Prompt({"role": "system", "content": text}, budget, counter, rules.sources)
