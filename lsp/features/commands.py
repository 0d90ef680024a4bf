"""workspace/executeCommand commands, for editors without a Flambeau client (Neovim, Helix, Emacs).

Each command that starts a task answers when the task ends, with `{taskId, outcome, message}`; the
editor's `$/cancelRequest` for it cancels the task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from lsp.features import CMD_CANCEL_TASK, CMD_FIX_DIAGNOSTIC, CMD_FIX_SELECTION, CMD_START_TASK
from lsp.features.task_methods import require_initialized
from lsp.server import FlambeauServer
from lsp.settings import APPROVAL_MODES
from lsp.tasks import TaskRequest

CONTEXT_LINES = 3
MAX_SNIPPET_LINES = 80


async def start_task(ls: FlambeauServer, *args: Any) -> dict[str, Any]:
    """[task, {approvalMode?, model?, plan?}]"""
    if not args or not isinstance(args[0], str) or not args[0].strip():
        raise JsonRpcInvalidParams(f"{CMD_START_TASK}: the first argument must be the task text")
    options = args[1] if len(args) > 1 else {}
    if not isinstance(options, dict) or len(args) > 2:
        raise JsonRpcInvalidParams(f"{CMD_START_TASK}: arguments are [task, {{approvalMode?}}]")
    mode = options.get("approvalMode")
    if mode is not None and mode not in APPROVAL_MODES:
        raise JsonRpcInvalidParams(f"{CMD_START_TASK}: approvalMode must be one of {', '.join(APPROVAL_MODES)}")
    model = options.get("model")
    return await _run(
        ls, TaskRequest(task=args[0], model=model if isinstance(model, str) else None, approval_mode=mode)
    )


async def cancel_task(ls: FlambeauServer, *args: Any) -> dict[str, Any]:
    """[taskId]"""
    if len(args) != 1 or not isinstance(args[0], str):
        raise JsonRpcInvalidParams(f"{CMD_CANCEL_TASK}: arguments are [taskId]")
    return {"cancelled": await ls.tasks.cancel(args[0])}


async def fix_diagnostic(ls: FlambeauServer, *args: Any) -> dict[str, Any]:
    """[uri, range, message]: what the "Fix with Flambeau" code action runs."""
    if len(args) != 3 or not isinstance(args[2], str):
        raise JsonRpcInvalidParams(f"{CMD_FIX_DIAGNOSTIC}: arguments are [uri, range, message]")
    path, first, last = _location(ls, CMD_FIX_DIAGNOSTIC, args[0], args[1])
    rel = _relative(ls, path)
    task = (
        f"Fix this problem in {rel} at line {first + 1}: {args[2]}\n\n"
        f"{_snippet(ls, path, first, last)}\n"
        "Read the file, change it so the problem is gone, and finish with attempt_completion."
    )
    return await _run(ls, TaskRequest(task=task))


async def fix_selection(ls: FlambeauServer, *args: Any) -> dict[str, Any]:
    """[uri, range]: "Fix with Flambeau (selection)"."""
    if len(args) != 2:
        raise JsonRpcInvalidParams(f"{CMD_FIX_SELECTION}: arguments are [uri, range]")
    path, first, last = _location(ls, CMD_FIX_SELECTION, args[0], args[1])
    rel = _relative(ls, path)
    task = (
        f"Fix the problems in lines {first + 1}-{last + 1} of {rel}.\n\n"
        f"{_snippet(ls, path, first, last, context=0)}\n"
        "Change only what is needed, and finish with attempt_completion."
    )
    return await _run(ls, TaskRequest(task=task))


async def _run(ls: FlambeauServer, request: TaskRequest) -> dict[str, Any]:
    require_initialized(ls)
    entry = ls.tasks.start(request)
    await ls.tasks.finished(entry, ls.protocol.msg_id)
    return {"taskId": entry.task_id, "outcome": entry.outcome, "message": entry.message}


def _location(ls: FlambeauServer, command: str, uri: Any, range_: Any) -> tuple[Path, int, int]:
    if not isinstance(uri, str) or not uri.startswith("file:"):
        raise JsonRpcInvalidParams(f"{command}: the uri must be a file: URI")
    path = to_fs_path(uri)
    if path is None:
        raise JsonRpcInvalidParams(f"{command}: cannot read the path of {uri}")
    try:
        first, last = int(range_["start"]["line"]), int(range_["end"]["line"])
    except (TypeError, KeyError, ValueError) as error:
        raise JsonRpcInvalidParams(f"{command}: the range must be {{start: {{line, character}}, end: ...}}") from error
    if first < 0 or last < first:
        raise JsonRpcInvalidParams(f"{command}: the range's lines must be 0 <= start <= end")
    return Path(path), first, last


def _relative(ls: FlambeauServer, path: Path) -> str:
    root = ls.settings.workspace
    try:
        return str(path.resolve().relative_to(root)) if root else str(path)
    except ValueError:
        raise JsonRpcInvalidParams(f"{path} is outside the workspace {root}") from None


def _snippet(ls: FlambeauServer, path: Path, first: int, last: int, context: int = CONTEXT_LINES) -> str:
    text = ls.documents.open_text(path)
    if text is None:
        from tools.workspace.special import read_regular

        try:
            text = read_regular(path).decode("utf-8", errors="replace")
        except OSError:
            return ""
    lines = text.splitlines()
    start, end = max(0, first - context), min(len(lines), last + context + 1, first + MAX_SNIPPET_LINES)
    numbered = "\n".join(f"{n + 1:>5} | {lines[n]}" for n in range(start, end))
    return f"The code (as in the editor, unsaved changes included):\n```\n{numbered}\n```\n" if numbered else ""
