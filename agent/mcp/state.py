"""What the front ends are told about each MCP server: its status, tools, identity and last error."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["stopped", "starting", "running", "failed", "untrusted", "refused", "disabled"]
"""stopped: not started (or shut down); starting; running; failed: did not start, or died (see
`last_error`); untrusted: a workspace server the user has not trusted (never started); refused: not
allowed here (a cloud server under local-only mode); disabled: `"disabled": true` in its file."""


class McpError(Exception):
    """An MCP server failed or refused; the message names the server, what happened and what to do."""


class McpTimeout(McpError):
    """A server did not answer within its timeout."""


@dataclass(frozen=True)
class ToolInfo:
    """One tool a server offers, as listed by it."""

    name: str
    """The server's own name for it."""
    qualified: str
    """The name the model sees: `mcp__<server>__<tool>`."""
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class PromptInfo:
    """One prompt a server offers (shown by the panel as a slash command)."""

    name: str
    description: str
    arguments: list[dict[str, Any]] = field(default_factory=list)
    """Each: `{"name", "description", "required"}`."""


@dataclass(frozen=True)
class ServerState:
    """A snapshot of one server; `to_dict` is what the LSP layer sends."""

    name: str
    origin: str
    """"user" or "workspace"."""
    transport: str
    """"stdio", "http" or "sse"."""
    command_line: str
    """The command and arguments, or the URL."""
    status: Status
    locality: str
    """"local" (stdio, or a loopback URL) or "cloud"."""
    tool_count: int = 0
    tools: tuple[str, ...] = ()
    """The qualified tool names offered to the model."""
    resource_count: int = 0
    prompt_count: int = 0
    last_error: str = ""
    server_info: dict[str, str] = field(default_factory=dict)
    """`serverInfo` from the handshake: `{"name", "version"}` when the server gave them."""
    trust: str = "not-needed"
    """"trusted", "untrusted", "changed" (its definition changed since trusted) or "not-needed" (a user server)."""
    secret_references: tuple[str, ...] = ()
    """The keyring entries the server is given (shown before trusting it)."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tools"] = list(self.tools)
        data["secret_references"] = list(self.secret_references)
        return data


@dataclass(frozen=True)
class CallOutcome:
    """A tool call's or a resource read's result, as text for the model."""

    ok: bool
    text: str
    structured: Any = None
    """`structuredContent` when the server sent it."""
