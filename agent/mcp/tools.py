"""MCP servers' tools as registry tools: `mcp__<server>__<tool>` with the server's JSON schema, in the
`mcp` policy category, their results capped and redacted like a command's, recorded with the server's
identity; and `mcp_read_resource`, which reads a server's resource.

A call to a cloud server is refused before it is sent when its arguments carry never-to-cloud content
or a secret (agent/mcp/egress.py). A server that fails gives the model an error naming it, and the task
goes on without it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

import jsonschema
from pydantic import ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from agent.mcp.state import McpError, ToolInfo
from tools.base import Category, Tool, ToolArgs, ToolContext, ToolResult
from tools.workspace.output import cap_middle
from tools.workspace.secrets import redact_text

if TYPE_CHECKING:
    from agent.mcp.config import ServerConfig
    from agent.mcp.manager import McpManager

FAILED_NOTE = "Go on without this server's tools, or tell the user it failed."
MAX_LISTED_RESOURCES = 20


class McpArgs(ToolArgs):
    """Whatever the server's schema accepts (checked against it in `parse`)."""

    model_config = ConfigDict(extra="allow")


class ResourceArgs(ToolArgs):
    server: str = Field(description="the MCP server's name")
    uri: str = Field(description="the resource's URI, as listed")


def identity(manager: McpManager, server: ServerConfig) -> dict[str, Any]:
    """Who answered, for the trace: name, origin, transport, command or URL, serverInfo name and version."""
    data = server.identity()
    connection = manager.connection(server.name)
    data["server_info"] = dict(connection.server_info) if connection is not None else {}
    data["locality"] = manager.state(server.name).locality
    return data


class McpTool(Tool[McpArgs]):
    """One server tool; a subclass per tool carries its names (see `tool_class`)."""

    category: ClassVar[Category] = Category.MCP
    args_model: ClassVar[type[ToolArgs]] = McpArgs
    server_name: ClassVar[str]
    tool_name: ClassVar[str]
    input_schema: ClassVar[dict[str, Any]]

    def __init__(self, manager: McpManager) -> None:
        self.manager = manager

    @classmethod
    def parameters_schema(cls) -> dict[str, Any]:
        schema = dict(cls.input_schema)
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        return schema

    def parse(self, arguments: dict[str, Any]) -> McpArgs:
        problems = [
            InitErrorDetails(
                type=PydanticCustomError("mcp_schema", "{reason}", {"reason": error.message}),
                loc=tuple(str(p) for p in error.absolute_path),
                input=error.instance,
            )
            for error in _validator(self.parameters_schema()).iter_errors(arguments)
        ]
        if problems:
            raise ValidationError.from_exception_data(self.name, problems)
        return McpArgs.model_validate(arguments)

    def summary(self, args: McpArgs) -> str:
        return f"{self.name} {json.dumps(args.model_dump(), ensure_ascii=False, separators=(',', ':'))}"

    def preview(self, args: McpArgs, ctx: ToolContext) -> str:
        server = self.manager.server(self.server_name)
        state = self.manager.state(self.server_name)
        info = state.server_info
        who = f"{info.get('name', '?')} {info.get('version', '')}".strip() if info else "unidentified"
        arguments = json.dumps(args.model_dump(), ensure_ascii=False, indent=2)
        return (
            f"MCP server '{server.name}' ({server.command_line()}; {state.locality}; serverInfo {who})\n"
            f"tool {self.tool_name} with\n{arguments}"
        )

    async def run(self, args: McpArgs, ctx: ToolContext) -> ToolResult:
        server = self.manager.server(self.server_name)
        arguments = args.model_dump()
        return await _run(self.manager, server, ctx, self.tool_name, arguments, self._call)

    async def _call(self, arguments: dict[str, Any]) -> Any:
        return await self.manager.call_tool(self.server_name, self.tool_name, arguments)


class ReadResource(Tool[ResourceArgs]):
    name: ClassVar[str] = "mcp_read_resource"
    category: ClassVar[Category] = Category.MCP
    description: ClassVar[str] = "Read a resource an MCP server offers, by its URI."
    args_model: ClassVar[type[ToolArgs]] = ResourceArgs

    def __init__(self, manager: McpManager, listing: str) -> None:
        self.manager = manager
        self.listing = listing

    def openai_schema(self) -> dict[str, Any]:  # type: ignore[override]
        schema = super().openai_schema()
        schema["function"]["description"] = f"{self.description} Resources:\n{self.listing}"
        return schema

    async def run(self, args: ResourceArgs, ctx: ToolContext) -> ToolResult:
        try:
            server = self.manager.server(args.server)
        except McpError as error:
            return ToolResult(ok=False, output=f"Error: {error}")

        async def read(_arguments: dict[str, Any]) -> Any:
            return await self.manager.read_resource(args.server, args.uri)

        return await _run(self.manager, server, ctx, "read_resource", {"uri": args.uri}, read)


async def _run(
    manager: McpManager, server: ServerConfig, ctx: ToolContext, tool: str, arguments: dict[str, Any], call: Any
) -> ToolResult:
    data: dict[str, Any] = {"mcp": identity(manager, server)}
    guard = manager.argument_guard(ctx.workspace.root, list(ctx.workspace.withhold.never_to_cloud), ctx.scrubbed_values)
    refusal = guard.refusal(server, tool, arguments)
    if refusal is not None:
        data["mcp"]["refused"] = True
        return ToolResult(ok=False, output=f"Error: {refusal}", data=data)
    try:
        outcome = await call(arguments)
    except McpError as error:
        data["mcp"]["error"] = str(error)
        return ToolResult(ok=False, output=f"Error: {error}. {FAILED_NOTE}", data=data)
    text = redact_text(outcome.text, ctx.scrubbed_values | manager.secret_values)
    return ToolResult(ok=outcome.ok, output=cap_middle(text, ctx.max_output_bytes), data=data)


def tool_class(info: ToolInfo, server: str) -> type[McpTool]:
    """A registry class for one server tool: its qualified name, description and schema."""
    description = info.description.strip() or f"The tool {info.name} of the MCP server {server}."
    attributes = {
        "name": info.qualified,
        "description": f"[MCP server {server}] {description}",
        "server_name": server,
        "tool_name": info.name,
        "input_schema": info.input_schema,
    }
    return type(f"Mcp_{info.qualified}", (McpTool,), attributes)


def registry_tools(manager: McpManager) -> list[Tool[Any]]:
    """Every running server's tools, and the resource reader when one of them lists resources."""
    tools: list[Tool[Any]] = []
    listing: list[str] = []
    for state in manager.states():
        connection = manager.connection(state.name)
        if connection is None:
            continue
        tools += [tool_class(info, state.name)(manager) for info in connection.tools]
        for resource in connection.resources[:MAX_LISTED_RESOURCES]:
            about = f" ({resource['name']})" if resource.get("name") else ""
            listing.append(f"- server {state.name}: {resource['uri']}{about}")
    if listing:
        tools.append(ReadResource(manager, "\n".join(listing)))
    return tools


def _validator(schema: dict[str, Any]) -> Any:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)
