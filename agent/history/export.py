"""A past task's conversation exported as Markdown (to read or share) or JSON (its events), next to its trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from agent.history.timeline import Segment, timeline

ConversationFormat = Literal["markdown", "json"]
SUFFIXES: dict[str, str] = {"markdown": ".md", "json": ".conversation.json"}
FENCE = "````"


def export_conversation(path: Path, format: ConversationFormat) -> Path:
    """Write the conversation of the trace at `path` (and of the tasks it continues) next to it."""
    if format not in SUFFIXES:
        raise ValueError(f"unknown conversation format {format!r}; choose {', '.join(SUFFIXES)}")
    segments = timeline(path)
    target = path.with_name(path.name.removesuffix(".jsonl") + SUFFIXES[format])
    if format == "json":
        data = [
            {"taskId": s.task_id, "startedAt": s.started, "missing": s.missing, "events": s.events} for s in segments
        ]
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        target.write_text(markdown(segments), encoding="utf-8")
    return target


def markdown(segments: list[Segment]) -> str:
    lines: list[str] = []
    for index, segment in enumerate(segments):
        if segment.missing:
            lines += [f"_The earlier part ({segment.task_id}) is no longer in the workspace._", ""]
            continue
        if index:
            lines += ["---", "", f"_Resumed as task {segment.task_id} ({segment.started})._", ""]
        text: list[str] = []
        for event in segment.events:
            if event["type"] == "text_delta":
                text.append(event["text"])
                continue
            if text:
                lines += ["**Flambeau:** " + "".join(text).strip(), ""]
                text = []
            lines += _event_lines(event, first=index == 0)
    return "\n".join(lines).rstrip() + "\n"


def _fenced(text: str, info: str = "") -> list[str]:
    return [FENCE + info, text.rstrip("\n"), FENCE, ""]


def _event_lines(event: dict[str, Any], first: bool) -> list[str]:
    kind = event["type"]
    if kind == "task_started" and first:
        return [f"# {event['task']}", "", f"_Task {event['task_id']} · {event['model']} ({event['locality']})_", ""]
    if kind == "user_message":
        return ["**You:** " + event["text"], ""]
    if kind == "tool_call_proposed":
        return [
            f"### {event['tool']}",
            "",
            *_fenced(json.dumps(event["arguments"], ensure_ascii=False, indent=1), "json"),
        ]
    if kind == "approval_decided":
        verdict = "approved" if event["approved"] else "denied"
        reason = f": {event['reason']}" if event["reason"] else ""
        return [f"_{verdict} by {event['by']}{reason}_", ""]
    if kind == "tool_result":
        diffs = [line for change in event["file_changes"] if change["diff"] for line in _fenced(change["diff"], "diff")]
        return [*_fenced(event["output"]), *diffs]
    if kind == "task_finished":
        return [f"**Result ({event['outcome']}):** {event['result']}", ""]
    if kind == "task_failed":
        return [f"**Failed:** {event['error']}", ""]
    return []
