"""What every tool is: a name, a category, typed arguments that generate the JSON schema, and `run`."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from tools.workspace.jail import Workspace


class Category(StrEnum):
    READ = "read"
    EDIT = "edit"
    COMMAND = "command"
    GIT = "git"
    MCP = "mcp"
    """A tool of an MCP server: code Flambeau did not write, so it asks by default until auto-all."""
    META = "meta"


class ToolArgs(BaseModel):
    """Base of every tool's arguments: unknown fields are an error the model is told about."""

    model_config = ConfigDict(extra="forbid")


class ToolError(Exception):
    """A tool refused or failed; the message goes back to the model as the result."""


@dataclass(frozen=True)
class FileChange:
    """One file a tool changed; SHA-256 of the bytes before and after (None: absent)."""

    path: str
    sha256_before: str | None
    sha256_after: str | None
    diff: str = ""
    after_content: bytes | None = field(default=None, repr=False, compare=False)
    """The bytes written, for the trace's blob store (so `trace verify --replay` can re-apply them);
    never sent to front ends (`Event.to_dict` leaves it out)."""


@dataclass(frozen=True)
class ToolResult:
    ok: bool
    output: str
    file_changes: list[FileChange] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


class DocumentProvider(Protocol):
    """The editor's view of files: unsaved buffers for reads, live edits for open documents."""

    def open_text(self, path: Path) -> str | None:
        """The buffer content of an open document, or None when the file is not open."""

    async def apply_text(self, path: Path, new_text: str) -> bool | None:
        """Replace an open document's content in the editor: True applied, False rejected,
        None when the document is not open (the caller writes the file on disk)."""


class QuestionAsker(Protocol):
    """Puts a question to the user (`ask_followup_question`); returns the text the model is given."""

    async def __call__(self, call_id: str, question: str, suggestions: list[str]) -> str: ...


@dataclass
class ToolContext:
    workspace: Workspace
    task_id: str = ""
    model: str = ""
    documents: DocumentProvider | None = None
    read_hashes: dict[str, str] = field(default_factory=dict)
    """Workspace-relative path -> SHA-256 of the content the agent last saw."""
    command_timeout_s: float = 120.0
    max_output_bytes: int = 64_000
    scrubbed_values: set[str] = field(default_factory=set)
    """Secret values that must never reach a command's environment or a result."""
    extra: dict[str, Any] = field(default_factory=dict)
    ask: QuestionAsker | None = None
    """Who answers the model's questions; None: nobody can (the model is told to decide itself)."""
    call_id: str = ""
    """The id of the tool call being run."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


A = TypeVar("A", bound=ToolArgs)


class Tool(ABC, Generic[A]):
    name: ClassVar[str]
    category: ClassVar[Category]
    description: ClassVar[str]
    args_model: ClassVar[type[ToolArgs]]

    @classmethod
    def parameters_schema(cls) -> dict[str, Any]:
        """The arguments' JSON schema, without titles, and optional fields without their `null` alternative
        (leaving a field out says the same in fewer tokens; an explicit null still validates)."""
        schema: dict[str, Any] = without_null(_strip_titles(cls.args_model.model_json_schema()))
        return schema

    @classmethod
    def openai_schema(cls) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": cls.name, "description": cls.description, "parameters": cls.parameters_schema()},
        }

    def parse(self, arguments: dict[str, Any]) -> A:
        return self.args_model.model_validate(arguments)  # type: ignore[return-value]

    def summary(self, args: A) -> str:
        """One line a person can judge when asked to approve."""
        return f"{self.name} {args.model_dump_json(exclude_none=True)}"

    def preview(self, args: A, ctx: ToolContext) -> str:
        """What the user should see before approving (a diff, a command); empty when nothing useful."""
        return ""

    @abstractmethod
    async def run(self, args: A, ctx: ToolContext) -> ToolResult: ...


def _strip_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_titles(v) for k, v in schema.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


def without_null(schema: Any) -> Any:
    """`{"anyOf": [X, {"type": "null"}], "default": null, ...}` as X with the other keys."""
    if isinstance(schema, dict):
        options = schema.get("anyOf")
        if (
            isinstance(options, list)
            and len(options) == 2
            and {"type": "null"} in options
            and schema.get("default", 0) is None
        ):
            kept = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
            return without_null({**next(o for o in options if o != {"type": "null"}), **kept})
        return {k: without_null(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [without_null(v) for v in schema]
    return schema
