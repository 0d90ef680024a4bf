"""What fills a request: the `context_usage` event after each model call.

The parts are counted with the session's counter over the request's own messages (what a trimmed
request left out is not counted), then scaled to the provider's reported prompt tokens when it
reported them, so that they add up to what the model really read.
"""

from __future__ import annotations

import re
from dataclasses import fields

from agent.context import IMAGE_PART_TOKENS, PER_MESSAGE_OVERHEAD, Budget, CachedCounter, Conversation, Message
from agent.events import ContextParts, ContextUsage

ATTACHMENT_BLOCK = re.compile(r'<attachment mention="[^"]*" kind="[^"]*">.*?</attachment>', re.DOTALL)


def request_parts(
    conversation: Conversation, messages: list[Message], budget: Budget, counter: CachedCounter
) -> dict[str, int]:
    """Our count of each part of a request made of `messages` (the conversation's, as sent)."""
    parts = {f.name: 0 for f in fields(ContextParts)}
    parts["tool_schemas"] = budget.tool_schema_tokens
    system = {id(conversation.system), *(id(m) for m in conversation.examples)}
    for message in messages:
        if id(message) in system:
            parts["system"] += counter.message(message)
        elif conversation.summary is not None and message is conversation.summary:
            parts["summary"] += counter.message(message)
        elif _is_result(message):
            parts["tool_results"] += counter.message(message)
        else:
            attached = _attachment_tokens(message, counter)
            parts["attachments"] += attached
            parts["conversation"] += max(0, counter.message(message) - attached)
    return parts


def context_usage(
    task_id: str,
    step: int,
    conversation: Conversation,
    messages: list[Message],
    budget: Budget,
    counter: CachedCounter,
    *,
    reported: int,
    condense_at: float,
) -> ContextUsage:
    """`reported`: the provider's prompt tokens for this request (0: it reported none, ours stand)."""
    parts = request_parts(conversation, messages, budget, counter)
    estimate = sum(parts.values())
    used = reported if reported > 0 else estimate
    scale = used / estimate if estimate else 1.0
    scaled = {name: round(value * scale) for name, value in parts.items()}
    scaled["conversation"] += used - sum(scaled.values())
    threshold = (condense_at * budget.prompt_limit + budget.tool_schema_tokens) * scale
    return ContextUsage(
        task_id=task_id,
        step=step,
        used_tokens=used,
        window=budget.window,
        counted_by="provider" if reported > 0 else "estimate",
        parts=ContextParts(**scaled),
        condense_at_tokens=int(threshold),
        turns=len(conversation.turns),
        condensed_turns=conversation.first_turn - 1,
    )


def _is_result(message: Message) -> bool:
    content = message.get("content")
    return message.get("role") == "tool" or (
        message.get("role") == "user" and isinstance(content, str) and content.startswith("Result of ")
    )


def _attachment_tokens(message: Message, counter: CachedCounter) -> int:
    if message.get("role") != "user":
        return 0
    content = message.get("content")
    if isinstance(content, list):
        images = sum(IMAGE_PART_TOKENS for p in content if isinstance(p, dict) and p.get("type") == "image_url")
        text = " ".join(str(p.get("text") or "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    else:
        images, text = 0, str(content or "")
    blocks = ATTACHMENT_BLOCK.findall(text)
    return images + sum(counter(block) for block in blocks) + (PER_MESSAGE_OVERHEAD if blocks and not text else 0)
