"""How a step's tool calls and results are written into the conversation, in each tool mode, and how a
conversation is restated when the model changes to one with another mode.

Native tool calling keeps `tool_calls` and `tool` messages; the text and constrained modes write the call
as `<tool_call>{json}</tool_call>` text and the result as a user message, which any model can read.
"""

from __future__ import annotations

import json
from typing import Any

from agent.models.gateway import ToolCall

Message = dict[str, Any]


def assistant_message(text: str, calls: list[ToolCall], native: bool) -> Message:
    if not native:
        return {"role": "assistant", "content": text}
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in calls
        ],
    }


def result_message(call: ToolCall, text: str, native: bool) -> Message:
    if native:
        return {"role": "tool", "tool_call_id": call.id, "content": text}
    return {"role": "user", "content": f"Result of {call.name}:\n{text}"}


def restate(turns: list[list[Message]], native: bool) -> list[list[Message]]:
    """The same turns written for a model that calls tools `native`ly or not. Text-mode turns need no
    change for a native model (it reads them as plain conversation); native ones are rewritten as text."""
    return turns if native else [_as_text(turn) for turn in turns]


def _as_text(turn: list[Message]) -> list[Message]:
    names = {
        call["id"]: call["function"]["name"] for m in turn for call in m.get("tool_calls") or [] if "id" in call
    }
    return [_to_text(m, names) for m in turn]


def _to_text(message: Message, names: dict[str, str]) -> Message:
    if message.get("role") == "assistant" and message.get("tool_calls"):
        blocks = [
            "<tool_call>"
            + json.dumps({"name": c["function"]["name"], "arguments": _arguments(c["function"]["arguments"])})
            + "</tool_call>"
            for c in message["tool_calls"]
        ]
        text = str(message.get("content") or "")
        return {"role": "assistant", "content": "\n".join([text, *blocks]).strip()}
    if message.get("role") == "tool":
        name = names.get(str(message.get("tool_call_id")), "the tool")
        return {"role": "user", "content": f"Result of {name}:\n{message.get('content') or ''}"}
    return message


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw
