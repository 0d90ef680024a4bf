"""Turning what the model said into validated tool calls, with repair messages that name the problem."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from agent.models.gateway import ToolCall
from tools.base import Tool, ToolArgs
from tools.registry import ToolRegistry

TEXT_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class MalformedCall(Exception):
    """The model's tool call could not be used; the message tells the model exactly what to fix."""


@dataclass(frozen=True)
class ParsedCall:
    call: ToolCall
    tool: Tool[Any]
    args: ToolArgs
    arguments: dict[str, Any]


def extract_text_calls(text: str) -> list[ToolCall]:
    """Tool calls written with the text protocol (`<tool_call>{json}</tool_call>` blocks)."""
    calls: list[ToolCall] = []
    for index, match in enumerate(TEXT_CALL.finditer(text)):
        body = FENCE.sub("", match.group(1).strip())
        try:
            payload = json.loads(body)
        except json.JSONDecodeError as error:
            raise MalformedCall(
                f"the <tool_call> block is not valid JSON ({error.msg} at line {error.lineno} column {error.colno}); "
                'send {"name": "...", "arguments": {...}} inside <tool_call></tool_call>'
            ) from error
        if not isinstance(payload, dict) or not isinstance(payload.get("name"), str):
            raise MalformedCall(
                'the <tool_call> block must be a JSON object with a string "name" and an "arguments" object'
            )
        arguments = payload.get("arguments", {})
        calls.append(ToolCall(id=f"text_call_{index}", name=payload["name"], arguments=json.dumps(arguments)))
    return calls


def validate_call(call: ToolCall, registry: ToolRegistry) -> ParsedCall:
    tool = registry.get(call.name)
    if tool is None:
        raise MalformedCall(f"there is no tool named {call.name!r}; the tools are: {', '.join(registry.names())}")
    try:
        arguments = json.loads(call.arguments) if call.arguments.strip() else {}
    except json.JSONDecodeError as error:
        raise MalformedCall(
            f"the arguments of {call.name} are not valid JSON ({error.msg} at column {error.colno}); "
            "send one JSON object matching the tool's parameters"
        ) from error
    if not isinstance(arguments, dict):
        raise MalformedCall(f"the arguments of {call.name} must be a JSON object, not {type(arguments).__name__}")
    try:
        args = tool.parse(arguments)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(arguments)'}: {e['msg']}" for e in error.errors()
        )
        raise MalformedCall(f"the arguments of {call.name} do not match its schema: {problems}") from error
    return ParsedCall(call=call, tool=tool, args=args, arguments=arguments)
