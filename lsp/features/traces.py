"""flambeau/listTraces, showTrace, verifyTrace, exportTrace: the workspace's traces, read off the event loop."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from lsp.features import EXPORT_TRACE, LIST_TRACES, SHOW_TRACE, VERIFY_TRACE
from lsp.features.task_methods import require_initialized
from lsp.params import Params
from lsp.server import FlambeauServer

if TYPE_CHECKING:
    from lsp.protocol import ExportTraceResult, ListTracesResult, ShowTraceResult, VerifyTraceResult

TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$")
EXPORT_FORMATS = ("html", "otel")


def trace_module() -> ModuleType:
    try:
        import agent.trace as trace
    except ImportError as error:
        raise JsonRpcInternalError(f"trace support not installed ({error})") from error
    return trace


async def list_traces(ls: FlambeauServer, params: Any) -> ListTracesResult:
    Params(LIST_TRACES, params)
    workspace = workspace_of(ls)
    summaries = await ls.agent_thread(lambda: trace_module().list_traces(workspace))
    return {
        "traces": [
            {
                "taskId": s.task_id,
                "path": str(s.path),
                "startedAt": s.started,
                "task": s.task,
                "model": s.model,
                "locality": s.locality,
                "outcome": s.outcome,
            }
            for s in summaries
        ]
    }


async def show_trace(ls: FlambeauServer, params: Any) -> ShowTraceResult:
    task_id = task_id_param(Params(SHOW_TRACE, params))
    path = await find_path(ls, task_id)
    raw = await ls.agent_thread(lambda: trace_module().read_trace(path))
    return {"taskId": task_id, "path": str(path), "records": raw.valid_records()}


async def verify_trace(ls: FlambeauServer, params: Any) -> VerifyTraceResult:
    task_id = task_id_param(Params(VERIFY_TRACE, params))
    path = await find_path(ls, task_id)
    report = await ls.agent_thread(lambda: trace_module().verify(path))
    answer: VerifyTraceResult = {"verdict": report.status, "exitCode": report.exit_code, "message": report.message}
    if report.first_bad_record is not None:
        answer["firstBadRecord"] = report.first_bad_record
    return answer


async def export_trace(ls: FlambeauServer, params: Any) -> ExportTraceResult:
    p = Params(EXPORT_TRACE, params)
    task_id = task_id_param(p)
    export_format = p.choice("format", EXPORT_FORMATS)
    if export_format is None:
        raise JsonRpcInvalidParams(f"{EXPORT_TRACE}: 'format' is required: 'html' or 'otel'")
    language = p.optional_text("language")
    path = await find_path(ls, task_id)
    target = await ls.agent_thread(lambda: trace_module().export(path, export_format, None, language))
    return {"path": str(target)}


def task_id_param(params: Params) -> str:
    task_id = params.text("taskId")
    if not TASK_ID.match(task_id):
        raise JsonRpcInvalidParams(f"{params.method}: 'taskId' must be a task id as listed by flambeau/listTraces")
    return task_id


def workspace_of(ls: FlambeauServer) -> Path:
    require_initialized(ls)
    assert ls.settings.workspace is not None
    return ls.settings.workspace


async def find_path(ls: FlambeauServer, task_id: str) -> Path:
    workspace = workspace_of(ls)

    def find() -> Path:
        trace = trace_module()
        try:
            path: Path = trace.find_trace(workspace, task_id)
        except trace.TraceError as error:
            raise JsonRpcInvalidParams(str(error)) from error
        return path

    return await ls.agent_thread(find)
