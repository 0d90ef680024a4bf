"""Prompt templates, shipped as Markdown files next to this module."""

from __future__ import annotations

import json
import platform
from functools import cache
from importlib import resources
from typing import Any

from prompts.languages import is_english, language_name


@cache
def template(name: str) -> str:
    return resources.files(__name__).joinpath(f"{name}.md").read_text(encoding="utf-8")


def render_system_prompt(
    *,
    compact: bool,
    workspace: str,
    rules: str,
    text_protocol_tools: list[dict[str, Any]] | None = None,
    constrained: bool = False,
    repo_map: str = "",
    reply_language: str | None = None,
) -> str:
    """The system prompt; `text_protocol_tools` set means the model calls tools through text blocks
    (or, with `constrained`, answers with one schema-constrained JSON call). `repo_map`: the ranked
    definitions of the workspace (tools.workspace.repomap), already cut to its token budget. `reply_language`: the
    language the user reads (a code such as "ja" or a name); English or None adds nothing."""
    tool_protocol = ""
    if text_protocol_tools is not None and constrained:
        tool_protocol = template("constrained_protocol").format(tool_schemas=_tool_lines(text_protocol_tools))
        # Small constrained models copy what they see; a prompt that is the same in every folder behaves
        # the same in every folder (tools take workspace-relative paths anyway).
        workspace = "."
    elif text_protocol_tools is not None:
        schemas = "\n".join(
            json.dumps(
                {
                    "name": t["function"]["name"],
                    "description": t["function"]["description"],
                    "parameters": t["function"]["parameters"],
                },
                separators=(",", ":"),
            )
            for t in text_protocol_tools
        )
        tool_protocol = template("text_protocol").format(tool_schemas=schemas)
    rules_block = f"\n\nProject rules (from the repository; follow them):\n{rules}" if rules else ""
    map_block = f"\n\nRepository map (most used definitions):\n{repo_map}" if repo_map else ""
    if not is_english(reply_language):
        assert reply_language is not None
        map_block += "\n\n" + template("reply_language").format(language=language_name(reply_language)).strip()
    return (
        template("system_compact" if compact else "system_full")
        .format(workspace=workspace, os_name=platform.system(), tool_protocol=tool_protocol, rules=rules_block)
        .strip()
        + map_block
        + "\n"
    )


def _tool_lines(tools: list[dict[str, Any]]) -> str:
    """One line per tool, `name(param, ...): first sentence`; the output constraint enforces the schema."""
    lines = []
    for t in tools:
        function = t["function"]
        params = ", ".join(function["parameters"].get("properties", {}))
        first = function["description"].split(". ")[0].rstrip(".")
        lines.append(f"- {function['name']}({params}): {first}")
    return "\n".join(lines)
