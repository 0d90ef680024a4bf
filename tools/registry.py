"""The set of tools a session offers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tools.base import Tool
from tools.completion import AttemptCompletion
from tools.edit import EditFile
from tools.files import ListFiles, ReadFile, WriteFile
from tools.git import GitCommit, GitDiff, GitLog, GitStatus
from tools.outline import ListDefinitions
from tools.question import AskFollowupQuestion
from tools.search import SearchFiles
from tools.shell import RunCommand


class ToolRegistry:
    def __init__(self, tools: Iterable[Tool[Any]]) -> None:
        self._tools: dict[str, Tool[Any]] = {}
        for tool in tools:
            if tool.name in self._tools:
                raise ValueError(f"two tools are named {tool.name}")
            self._tools[tool.name] = tool
        self._schemas_json: str | None = None

    def get(self, name: str) -> Tool[Any] | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return list(self._tools)

    def __iter__(self) -> Any:
        return iter(self._tools.values())

    def openai_schemas(self) -> list[dict[str, Any]]:
        """The tools' schemas in the OpenAI format: generated once, a fresh copy each call."""
        if self._schemas_json is None:
            self._schemas_json = json.dumps([tool.openai_schema() for tool in self._tools.values()])
        schemas: list[dict[str, Any]] = json.loads(self._schemas_json)
        return schemas


def default_tools() -> ToolRegistry:
    return ToolRegistry(
        [
            ReadFile(),
            ListFiles(),
            SearchFiles(),
            ListDefinitions(),
            EditFile(),
            WriteFile(),
            RunCommand(),
            GitStatus(),
            GitDiff(),
            GitLog(),
            GitCommit(),
            AskFollowupQuestion(),
            AttemptCompletion(),
        ]
    )
