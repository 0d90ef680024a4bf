"""An MCP result as text a model can read: text blocks as they are, other content named, not inlined."""

from __future__ import annotations

import json
from typing import Any

from agent.mcp.state import CallOutcome


def outcome_of_call(result: Any) -> CallOutcome:
    parts = [_block_text(block) for block in result.content]
    structured = result.structured_content
    if structured is not None and not any(p.strip() for p in parts):
        parts.append(json.dumps(structured, ensure_ascii=False, indent=1))
    text = "\n".join(p for p in parts if p) or "(the tool returned no content)"
    return CallOutcome(ok=not bool(result.is_error), text=text, structured=structured)


def outcome_of_read(result: Any) -> CallOutcome:
    parts = [_contents_text(contents) for contents in result.contents]
    return CallOutcome(ok=True, text="\n".join(parts) or "(the resource is empty)")


def prompt_messages(result: Any) -> list[dict[str, str]]:
    """`[{"role": "user"|"assistant", "text": …}]`: what a slash command puts in the conversation."""
    return [{"role": str(m.role), "text": _block_text(m.content)} for m in result.messages]


def _block_text(block: Any) -> str:
    kind = getattr(block, "type", "")
    if kind == "text":
        return str(block.text)
    if kind in ("image", "audio"):
        size = len(block.data) * 3 // 4
        return f"[{kind} content: {block.mime_type}, about {size:,} bytes, not shown]"
    if kind == "resource_link":
        return f"[resource link: {block.uri}{f' ({block.name})' if getattr(block, 'name', '') else ''}]"
    if kind == "resource":
        return _contents_text(block.resource)
    return f"[{kind or 'unknown'} content, not shown]"


def _contents_text(contents: Any) -> str:
    text = getattr(contents, "text", None)
    if isinstance(text, str):
        return text
    blob = getattr(contents, "blob", "")
    mime = getattr(contents, "mime_type", None) or "binary"
    return f"[{mime} resource {contents.uri}, about {len(blob) * 3 // 4:,} bytes, not shown]"
