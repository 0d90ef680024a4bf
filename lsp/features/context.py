"""flambeau/condense (Condense now) and flambeau/generateCommitMessage, and their executeCommand forms.

Condense now on a task mid-step answers once the condensation is done at the start of its next step (or at
the end of its run); between runs it condenses at once, recorded in the task's trace either way. A commit
message is written outside any task (so in no trace), by the `commit` role's profile under the same
restrictions as a task's requests (local-only mode refuses a cloud profile; a cloud model reads the diff
without never-to-cloud files, secrets redacted).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from lsp.features import CMD_CONDENSE, CMD_GENERATE_COMMIT_MESSAGE, CONDENSE, GENERATE_COMMIT_MESSAGE
from lsp.features.task_methods import require_initialized
from lsp.features.traces import workspace_of
from lsp.params import Params
from lsp.server import FlambeauServer

if TYPE_CHECKING:
    from lsp.protocol import CondenseResult, GenerateCommitMessageResult


async def condense(ls: FlambeauServer, params: Any) -> CondenseResult:
    """Replace the task's oldest turns by a summary now; an error says why when none could be made."""
    require_initialized(ls)
    task_id = Params(CONDENSE, params).text("taskId")
    session = ls.tasks.get(task_id).session
    if session is None:
        raise JsonRpcInvalidParams(f"{CONDENSE}: task {task_id} has not started its conversation yet")
    from agent.condensation import CondenseError

    try:
        done = await session.keeper.condense_now()
    except CondenseError as error:
        raise JsonRpcInvalidParams(f"{CONDENSE}: {error}") from error
    return {
        "taskId": task_id,
        "firstTurn": done.first_turn,
        "lastTurn": done.last_turn,
        "tokensBefore": done.tokens_before,
        "tokensAfter": done.tokens_after,
        "summary": done.summary,
        "profile": done.profile,
    }


async def generate_commit_message(ls: FlambeauServer, params: Any) -> GenerateCommitMessageResult:
    """A message for the staged changes of the workspace (or of `workspace`, a folder inside it)."""
    require_initialized(ls)
    p = Params(GENERATE_COMMIT_MESSAGE, params)
    folder = _folder(ls, p.optional_text("workspace"))
    await ls.warmup.ready()
    from agent.commit_message import NothingStaged, commit_message_for
    from agent.errors import ConfigError, ModelError
    from agent.models.config import load_config
    from tools.base import ToolError

    try:
        config = await asyncio.to_thread(load_config, workspace_of(ls))
        written = await commit_message_for(folder, config, ls.settings.model, ls.settings.api_base)
    except NothingStaged as error:
        raise JsonRpcInvalidParams(f"{GENERATE_COMMIT_MESSAGE}: {error}") from error
    except (ConfigError, ModelError, ToolError) as error:
        raise JsonRpcInvalidParams(f"{GENERATE_COMMIT_MESSAGE}: no message was written: {error}") from error
    return {
        "message": written.message,
        "profile": written.profile,
        "model": written.model,
        "locality": "cloud" if written.locality == "cloud" else "local",
    }


def _folder(ls: FlambeauServer, given: str | None) -> Path:
    root = workspace_of(ls)
    if given is None:
        return root
    path = Path(to_fs_path(given) or given) if given.startswith("file:") else Path(given)
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise JsonRpcInvalidParams(f"{GENERATE_COMMIT_MESSAGE}: {given} is outside the workspace {root}")
    if not resolved.is_dir():
        raise JsonRpcInvalidParams(f"{GENERATE_COMMIT_MESSAGE}: {given} is not a folder")
    return resolved


async def condense_command(ls: FlambeauServer, *args: Any) -> Any:
    """[taskId]"""
    if len(args) != 1 or not isinstance(args[0], str):
        raise JsonRpcInvalidParams(f"{CMD_CONDENSE}: arguments are [taskId]")
    return await condense(ls, {"taskId": args[0]})


async def generate_commit_message_command(ls: FlambeauServer, *args: Any) -> Any:
    """[] or [workspace folder (a path or file: URI)]"""
    if len(args) > 1 or (args and not isinstance(args[0], str)):
        raise JsonRpcInvalidParams(f"{CMD_GENERATE_COMMIT_MESSAGE}: arguments are [workspace?]")
    return await generate_commit_message(ls, {"workspace": args[0]} if args else {})
