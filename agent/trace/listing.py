"""Finding traces in a workspace and summarising them for `trace list` and the editor's Traces view."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from agent.trace.deletion import Deletion, deletion_of, deletions
from agent.trace.layout import TRACE_SUFFIX, traces_dir
from agent.trace.merkle import leaf_hash
from agent.trace.reading import TraceError, read_trace
from agent.trace.witness import Witnessed, entries_for, judge, witness_began, witnessed_entries


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
    witness: str | None = None
    """What the witness log says (agent/trace/witness.py): witnessed, unwitnessed, pending, truncated,
    replaced, or erased (the file is gone); None when it was not consulted."""
    witness_message: str = ""
    continues: str | None = None
    """The task id of the trace this one continues (a resumed task), from its header."""
    verdict: str | None = None
    """What `verify` says (intact | tampered | damaged), when the listing was asked to verify."""
    verdict_message: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data


def list_traces(workspace: Path, *, include_erased: bool = False, verify: bool = False) -> list[TraceSummary]:
    """Every trace of the workspace, newest first (by task id, which starts with its UTC start time), each
    compared with the witness log; with `include_erased`, also the witnessed traces whose file is gone
    (erased, or deleted by the user: agent/trace/deletion.py); with `verify`, each one verified in full."""
    folder = traces_dir(workspace)
    paths = sorted(folder.glob(f"*{TRACE_SUFFIX}"), reverse=True) if folder.is_dir() else []
    entries = witnessed_entries()
    found = [summarize(path, entries) for path in paths]
    if verify:
        found = [_verified(summary) for summary in found]
    if include_erased:
        present = {s.task_id for s in found}
        found += _erased(workspace, entries, present)
        found.sort(key=lambda s: s.task_id, reverse=True)
    return found


def _erased(workspace: Path, entries: list[Witnessed], present: set[str]) -> list[TraceSummary]:
    real = str(workspace.resolve())
    last: dict[str, Witnessed] = {}
    for entry in entries:
        gone = entry.workspace == real and entry.trace_id not in present and not Path(entry.trace).exists()
        if gone and (entry.trace_id not in last or entry.tree_size > last[entry.trace_id].tree_size):
            last[entry.trace_id] = entry
    found = deletions()
    return [_erased_summary(e, deletion_of(e, found)) for e in last.values()]


def _verified(summary: TraceSummary) -> TraceSummary:
    from agent.trace.verify import verify

    report = verify(summary.path)
    return replace(summary, verdict=report.status, verdict_message=report.message)


def _erased_summary(e: Witnessed, deletion: Deletion | None) -> TraceSummary:
    if deletion is not None:
        state = "deleted"
        message = f"deleted by the user ({deletion.time}) at {deletion.tree_size} records; the witness log keeps that"
    else:
        state = "erased"
        message = f"the file is gone; the witness log saw it sealed at {e.tree_size} records ({e.time})"
    return TraceSummary(
        task_id=e.trace_id,
        path=Path(e.trace),
        started=None,
        task="",
        model="",
        locality="",
        outcome=None,
        records=0,
        steps=None,
        cost_usd=None,
        witness=state,
        witness_message=message,
    )


def summarize(path: Path, entries: list[Witnessed] | None = None) -> TraceSummary:
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
        continues=_continues(raw.header),
        **_witness_fields(raw.header, raw.lines, entries),
    )


def _witness_fields(header: dict[str, Any], lines: list[bytes], entries: list[Witnessed] | None) -> dict[str, Any]:
    task_id, key = header.get("task_id"), header.get("public_key")
    if entries is None or not isinstance(task_id, str) or not isinstance(key, str):
        return {}
    last = next((r for r in reversed(lines) if r), b"")
    sealed = b'"kind":"checkpoint"' in last and b'"final":true' in last
    leaves = [leaf_hash(line) for line in lines]
    started = str(header.get("time") or "")
    verdict = judge(entries_for(task_id, entries), leaves, key, sealed, started=started, began=witness_began(entries))
    return {"witness": verdict.state, "witness_message": verdict.message}


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


def _continues(header: dict[str, Any]) -> str | None:
    continues = header.get("continues")
    task_id = continues.get("task_id") if isinstance(continues, dict) else None
    return task_id if isinstance(task_id, str) else None


def _cost(response: dict[str, Any] | None) -> float | None:
    """The task's total cost; None when no call was made or a call's price was unknown."""
    value = response.get("total_cost_usd") if response else None
    return float(value) if isinstance(value, int | float) else None
