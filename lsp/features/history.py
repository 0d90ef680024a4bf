"""flambeau/listHistory, openHistory, resumeTask, deleteHistory, exportHistory: past tasks, from their traces.

Everything is read from the workspace's traces (and the witness log) on each request, off the event loop:
the server holds no history of its own, so a window reload or a server restart loses nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from pygls.exceptions import JsonRpcInvalidParams

from lsp.attachments import resolve_attachments
from lsp.features import DELETE_HISTORY, EXPORT_HISTORY, LIST_HISTORY, OPEN_HISTORY, RESUME_TASK
from lsp.features.task_methods import require_initialized, task_request
from lsp.features.traces import find_path, task_id_param, workspace_of
from lsp.params import Params
from lsp.server import FlambeauServer

if TYPE_CHECKING:
    from agent.trace.listing import TraceSummary
    from lsp.protocol import (
        DeleteHistoryResult,
        ExportHistoryResult,
        HistoryEntry,
        ListHistoryResult,
        OpenHistoryResult,
        ResumeTaskResult,
    )

CONVERSATION_FORMATS = ("markdown", "json")
Verdict = Literal["intact", "tampered", "damaged"]


def history_entry(summary: TraceSummary, running: bool) -> HistoryEntry:
    return {
        "taskId": summary.task_id,
        "path": str(summary.path),
        "startedAt": summary.started,
        "task": summary.task,
        "model": summary.model,
        "locality": summary.locality,
        "outcome": summary.outcome,
        "steps": summary.steps,
        "costUsd": summary.cost_usd,
        "verdict": cast("Verdict | None", summary.verdict),
        "verdictMessage": summary.verdict_message,
        "witness": summary.witness,
        "witnessMessage": summary.witness_message,
        "continues": summary.continues,
        "running": running,
    }


async def list_history(ls: FlambeauServer, params: Any) -> ListHistoryResult:
    Params(LIST_HISTORY, params)
    workspace = workspace_of(ls)

    def listing() -> list[TraceSummary]:
        from agent.trace.listing import list_traces

        return list_traces(workspace, include_erased=True, verify=True)

    summaries = await ls.agent_thread(listing)
    return {"tasks": [history_entry(s, ls.tasks.is_active(s.task_id)) for s in summaries]}


async def open_history(ls: FlambeauServer, params: Any) -> OpenHistoryResult:
    task_id = task_id_param(Params(OPEN_HISTORY, params))
    path = await find_path(ls, task_id)

    def read() -> OpenHistoryResult:
        from agent.history.timeline import timeline
        from agent.trace.listing import summarize
        from agent.trace.verify import verify

        summary = summarize(path)
        report = verify(path)
        segments = timeline(path)
        return {
            "taskId": task_id,
            "task": summary.task,
            "verdict": report.status,
            "verdictMessage": report.message,
            "segments": [
                {"taskId": s.task_id, "startedAt": s.started, "missing": s.missing, "events": s.events}
                for s in segments
            ],
        }

    return await ls.agent_thread(read)


async def resume_task(ls: FlambeauServer, params: Any) -> ResumeTaskResult:
    """A follow-up on a past task: its trace is verified and its conversation rebuilt, then it continues as a
    new task (a new trace naming the one it continues); its events follow as for flambeau/startTask."""
    p = Params(RESUME_TASK, params)
    task_id = task_id_param(p)
    text = p.text("text")
    request = task_request(Params(RESUME_TASK, {**p.raw, "task": text}))
    entry = await _resume(ls, task_id, text, request, p.raw)
    return {"taskId": entry.task_id, "continues": task_id}


async def _resume(ls: FlambeauServer, task_id: str, text: str, request: Any, raw: dict[str, Any]) -> Any:
    from dataclasses import replace

    require_initialized(ls)
    if ls.tasks.is_active(task_id):
        raise JsonRpcInvalidParams(f"task {task_id} is still running; send the message with flambeau/sendMessage")
    workspace = workspace_of(ls)
    attachments = await resolve_attachments(ls, RESUME_TASK, text, raw, refused="the task was not resumed")

    def prepare() -> Any:
        from agent.history.resume import ResumeRefused, prepare_resume

        try:
            return prepare_resume(workspace, task_id)
        except ResumeRefused as error:
            raise JsonRpcInvalidParams(str(error)) from error

    resume = await ls.agent_thread(prepare)
    return ls.tasks.resume(replace(request, resume=resume), text, attachments)


async def delete_history(ls: FlambeauServer, params: Any) -> DeleteHistoryResult:
    task_id = task_id_param(Params(DELETE_HISTORY, params))
    if ls.tasks.is_active(task_id):
        raise JsonRpcInvalidParams(f"task {task_id} is running; cancel it (flambeau/cancelTask) before deleting it")
    path = await find_path(ls, task_id)
    deletion = await ls.agent_thread(lambda: _delete(path))
    return {"taskId": task_id, "deletedAt": deletion.time, "records": deletion.tree_size}


def _delete(path: Path) -> Any:
    from agent.trace.deletion import delete_trace
    from agent.trace.reading import TraceError

    try:
        return delete_trace(path)
    except (TraceError, OSError) as error:
        raise JsonRpcInvalidParams(f"{DELETE_HISTORY}: {error}") from error


async def export_history(ls: FlambeauServer, params: Any) -> ExportHistoryResult:
    p = Params(EXPORT_HISTORY, params)
    task_id = task_id_param(p)
    export_format = cast('Literal["markdown", "json"]', p.choice("format", CONVERSATION_FORMATS, default="markdown"))
    path = await find_path(ls, task_id)

    def export() -> Path:
        from agent.history.export import export_conversation

        return export_conversation(path, export_format)

    return {"path": str(await ls.agent_thread(export))}
