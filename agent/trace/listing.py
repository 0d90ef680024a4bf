"""Finding traces in a workspace and summarising them for `trace list` and the editor's Traces view."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.trace.layout import TRACE_SUFFIX, traces_dir
from agent.trace.reading import TraceError, read_trace


@dataclass(frozen=True)
class TraceSummary:
    task_id: str
    path: Path
    started: str | None
    """ISO time of the first record."""
    task: str
    model: str
    locality: str
    outcome: str | None
    """completed | failed | cancelled | limit; None while running or when interrupted."""
    records: int
    steps: int | None
    cost_usd: float | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data


def list_traces(workspace: Path) -> list[TraceSummary]:
    """Every trace of the workspace, newest first (by task id, which starts with its UTC start time)."""
    folder = traces_dir(workspace)
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob(f"*{TRACE_SUFFIX}"), reverse=True)
    return [summarize(path) for path in paths]


def summarize(path: Path) -> TraceSummary:
    raw = read_trace(path)
    records = raw.valid_records()
    start = next((r for r in records if r.get("kind") == "task_start"), {})
    end = next((r for r in reversed(records) if r.get("kind") == "task_end"), None)
    response = next((r for r in reversed(records) if r.get("kind") == "model_response"), None)
    return TraceSummary(
        task_id=str(raw.header.get("task_id") or path.name.removesuffix(TRACE_SUFFIX)),
        path=path,
        started=str(records[0].get("time")) if records else None,
        task=str(start.get("task", "")),
        model=str(start.get("model", "")),
        locality=str(start.get("locality", "")),
        outcome=str(end.get("outcome")) if end else None,
        records=len(raw.lines),
        steps=int(end["steps"]) if end and isinstance(end.get("steps"), int) else None,
        cost_usd=_cost(response),
    )


def find_trace(workspace: Path, ident: str) -> Path:
    """A trace by task id (or a unique prefix of one), or a path to a trace file."""
    as_path = Path(ident)
    if as_path.suffix == TRACE_SUFFIX and as_path.is_file():
        return as_path
    folder = traces_dir(workspace)
    matches = sorted(folder.glob(f"{ident}*{TRACE_SUFFIX}")) if folder.is_dir() and "/" not in ident else []
    exact = [m for m in matches if m.name == f"{ident}{TRACE_SUFFIX}"]
    if exact:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise TraceError(f"no trace {ident!r} in {folder}; 'flambeau trace list' shows the task ids")
    raise TraceError(f"{ident!r} matches {len(matches)} traces; give more of the task id")


def _cost(response: dict[str, Any] | None) -> float | None:
    """The task's total cost; None when no call was made or a call's price was unknown."""
    value = response.get("total_cost_usd") if response else None
    return float(value) if isinstance(value, int | float) else None
