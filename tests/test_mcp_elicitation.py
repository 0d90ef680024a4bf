"""A server asking the user something (elicitation): declined in headless runs (nobody is there to agree),
answered with the form's own defaults only in the `defaults` mode (the conformance client), never for a
URL; SEP-1034's rule that omitted fields take their defaults. Against server-everything over stdio."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agent.mcp import McpManager
from agent.mcp.elicitation import ElicitationMode, answer_with_defaults, fill_defaults, schema_defaults
from tests.mcp_config import write_user_servers
from tests.mcp_servers import everything_entry, everything_stdio

FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "default": "Ada"},
        "age": {"type": "integer", "default": 36},
        "score": {"type": "number", "default": 9.5},
        "status": {"type": "string", "enum": ["active", "inactive"], "default": "active"},
        "verified": {"type": "boolean", "default": True},
        "wrong": {"type": "integer", "default": "thirty"},
        "flag_as_number": {"type": "number", "default": True},
        "off_enum": {"type": "string", "enum": ["a", "b"], "default": "c"},
        "plain": {"type": "string"},
    },
}


def test_defaults_of_the_right_type_fill_what_the_user_left_out() -> None:
    assert schema_defaults(FORM) == {"name": "Ada", "age": 36, "score": 9.5, "status": "active", "verified": True}
    assert fill_defaults(FORM, {"name": "Grace", "plain": "x"})["name"] == "Grace", "what the user gave wins"
    assert answer_with_defaults(FORM) == schema_defaults(FORM)
    assert answer_with_defaults({**FORM, "required": ["plain"]}) is None, "a required field without a default"


@pytest.mark.parametrize("mode", ["decline", "defaults"])
def test_a_servers_questions_are_declined_headless_and_a_url_is_never_opened(workspace: Path, mode: str) -> None:
    everything_entry()
    write_user_servers({"every": everything_stdio()})
    elicitation: ElicitationMode = "decline" if mode == "decline" else "defaults"

    async def scenario() -> tuple[str, str]:
        async with McpManager(workspace, elicitation=elicitation) as mcp:
            await mcp.start()
            form = await mcp.call_tool("every", "trigger-elicitation-request", {})
            url = await mcp.call_tool("every", "trigger-url-elicitation", {"url": "https://example.com/sign-in"})
            return form.text, url.text

    form, url = asyncio.run(scenario())
    # server-everything's form has required fields without defaults: even `defaults` cannot answer it.
    assert '"action": "decline"' in form
    assert '"action": "decline"' in url and "declined to open the URL" in url
