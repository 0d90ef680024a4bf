"""Rules for MCP tool calls: `server` (every tool of it) or `server/tool`, as written in policy.toml::

    [mcp]
    allow = ["time", "everything/echo"]    # run without asking (the user's file only)
    ask = ["everything/longRunningOperation"]
    deny = ["filesystem/write_file"]

An MCP tool is offered to the model as `mcp__<server>__<tool>`; reading a server's resource is judged as
its tool `read_resource`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "mcp__"
TOOL_NAME_LIMIT = 64
READ_RESOURCE = "read_resource"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}(/[^\s/]+)?$")


class McpRuleError(ValueError):
    """A rule is not `server` or `server/tool`."""


def qualified_name(server: str, tool: str) -> str:
    """`mcp__<server>__<tool>`, with characters a model API refuses replaced by `_`, at most 64 long."""
    return f"{PREFIX}{server}__{_UNSAFE.sub('_', tool)}"[:TOOL_NAME_LIMIT]


@dataclass(frozen=True)
class McpTarget:
    """What a call reaches: the server's name and the tool's qualified name."""

    server: str
    qualified: str


def target_of(tool: str, arguments: dict[str, object]) -> McpTarget | None:
    """The server and tool of a call to `mcp__<server>__<tool>`, or of the resource reader (whose
    `server` argument names the server); None when the name is neither."""
    if tool.startswith(PREFIX) and "__" in tool[len(PREFIX) :]:
        server = tool[len(PREFIX) :].split("__", 1)[0]
        return McpTarget(server, tool)
    named = arguments.get("server")
    if isinstance(named, str) and named:
        return McpTarget(named, qualified_name(named, READ_RESOURCE))
    return None


@dataclass(frozen=True)
class McpRule:
    source: str
    server: str
    tool: str | None

    def matches(self, target: McpTarget) -> bool:
        if self.server != target.server:
            return False
        return self.tool is None or qualified_name(self.server, self.tool) == target.qualified


def parse_mcp_rules(rules: list[str]) -> list[McpRule]:
    parsed = []
    for rule in rules:
        text = rule.strip()
        if not RULE.match(text):
            raise McpRuleError(f"the MCP rule {rule!r} is not 'server' or 'server/tool'")
        server, _, tool = text.partition("/")
        parsed.append(McpRule(text, server, tool or None))
    return parsed
