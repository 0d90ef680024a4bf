"""A past task as the panel opens it: its events, after those of the tasks it continues (oldest first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.history.replay import replay_events
from agent.trace.layout import SAFE_TASK_ID, TRACE_SUFFIX
from agent.trace.packs import TraceBlobs
from agent.trace.reading import read_trace

MAX_CHAIN = 64


@dataclass
class Segment:
    """One trace of the chain: its events, or `missing` when its file is gone (deleted or erased)."""

    task_id: str
    path: Path
    started: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    missing: bool = False


def continued_id(header: dict[str, Any]) -> str | None:
    continues = header.get("continues")
    task_id = continues.get("task_id") if isinstance(continues, dict) else None
    return task_id if isinstance(task_id, str) and SAFE_TASK_ID.match(task_id) else None


def timeline(path: Path) -> list[Segment]:
    """The trace at `path` and, before it, each trace it continues that is still there."""
    segments: list[Segment] = []
    seen: set[str] = set()
    current: Path | None = path
    while current is not None and len(segments) < MAX_CHAIN:
        task_id = current.name.removesuffix(TRACE_SUFFIX)
        if task_id in seen:
            break
        seen.add(task_id)
        if not current.is_file():
            segments.append(Segment(task_id, current, missing=True))
            break
        raw = read_trace(current)
        records = raw.valid_records()
        started = str(records[0].get("time")) if records else None
        segments.append(Segment(task_id, current, started, replay_events(task_id, records, TraceBlobs(current))))
        earlier = continued_id(raw.header)
        current = current.with_name(earlier + TRACE_SUFFIX) if earlier else None
    return list(reversed(segments))
