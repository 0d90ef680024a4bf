"""Constrained tool calls: the server may only emit a JSON object that is a call to one of the tools.

The constraint is sent as `response_format = {"type": "json_object", "schema": S}`, where S is a
`oneOf` over `{"name": const TOOL, "arguments": TOOL's parameters}`. This is the form
llama-cpp-python's server turns into a grammar (it ignores `{"type": "json_schema"}`); llama.cpp's
own llama-server accepts it too. Replies are parsed as one such object; a server that ignored the
constraint and wrote `<tool_call>` blocks is still understood.

Small models (the embedded one is a base, not instruction-tuned, model) copy what they see more than
they follow instructions: the examples are whole turns before the task, in the very form the task and
tool results take (`task "…"`, `Result of TOOL:`), so that a copied command ends where its quote does
and a result is followed by attempt_completion, as in the examples.
"""

from __future__ import annotations

import json
from typing import Any

from agent.calls.text import MalformedCall, extract_text_calls
from agent.models.gateway import ToolCall

Message = dict[str, Any]


def _call(name: str, arguments: dict[str, Any]) -> Message:
    return {"role": "assistant", "content": json.dumps({"name": name, "arguments": arguments})}


def task_message(task: str) -> Message:
    """The task as the examples show theirs."""
    return {"role": "user", "content": f'task "{task}"'}


EXAMPLE_TURNS: list[Message] = [
    task_message("Run the command pwd"),
    _call("run_command", {"command": "pwd"}),
    {"role": "user", "content": "Result of run_command:\n/home/me/project\n\n[exit code 0; 0.01s; 17 bytes of output]"},
    _call("attempt_completion", {"result": "Ran the command."}),
    task_message("Create the file a.md containing Hi"),
    _call("write_file", {"path": "a.md", "content": "Hi"}),
    {"role": "user", "content": "Result of write_file:\ncreated a.md (2 bytes)"},
    _call("attempt_completion", {"result": "Created the file."}),
]
"""Two finished example tasks, sent before the real one (always kept, like the system prompt)."""


def call_schema(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON schema matched exactly by one well-formed call to one of `tools` (OpenAI tool schemas)."""
    variants = [
        {
            "type": "object",
            "properties": {"name": {"const": t["function"]["name"]}, "arguments": t["function"]["parameters"]},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for t in tools
    ]
    return {"oneOf": variants}


def constraint_params(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """Request parameters that constrain the model's output to one tool call."""
    return {"response_format": {"type": "json_object", "schema": call_schema(tools)}}


def extract_constrained_call(text: str) -> list[ToolCall]:
    stripped = text.strip()
    if "<tool_call>" in stripped:
        return extract_text_calls(stripped)
    if not stripped:
        return []
    try:
        payload = json.loads(stripped)
    except json.JSONDecodeError as error:
        raise MalformedCall(
            f'the answer is not one JSON object ({error.msg}); answer with {{"name": "...", "arguments": {{...}}}}'
        ) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("name"), str):
        raise MalformedCall('the answer must be a JSON object with a string "name" and an "arguments" object')
    return [ToolCall(id="constrained_call_0", name=payload["name"], arguments=json.dumps(payload.get("arguments", {})))]
