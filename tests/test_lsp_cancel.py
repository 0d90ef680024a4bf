"""Cancelling tasks from the editor: the command dies, the task ends cancelled, the trace verifies."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled

from tests.lsp_harness import WAIT_S, Editor, wait_for_path, wait_gone
from tests.processes import host_pids_running
from tests.scripted_server import ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor

MARKER = f"{300 + uuid.uuid4().int % 600}.{uuid.uuid4().int % 10**6:06d}"
LONG_COMMAND = f"sleep {MARKER} & echo started > pids.txt; wait"
"""A command that runs until killed; its processes carry MARKER in their command line (in the sandbox, the
command's own `$$` and `$!` are numbers of its PID namespace, not the host's)."""


async def running_pids(workspace: Path) -> list[int]:
    """Host pids of LONG_COMMAND's processes (the sandbox, the shell, the sleep), once it started."""
    await wait_for_path(workspace / "pids.txt")
    deadline = time.monotonic() + WAIT_S
    while not (pids := host_pids_running(MARKER)) or not any(_is_sleep(pid) for pid in pids):
        assert time.monotonic() < deadline, "the command's processes never appeared"
        await asyncio.sleep(0.02)
    return pids


def _is_sleep(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sleep\0")
    except OSError:
        return False


def test_cancel_task_kills_the_running_command_and_the_trace_verifies(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("run_command", command=LONG_COMMAND))

    async def scenario(editor: Editor) -> None:
        task_id = await editor.start_task("wait a long time", approvalMode="auto-all")
        pids = await running_pids(workspace)
        answer = await editor.request("flambeau/cancelTask", {"taskId": task_id})
        assert answer == {"cancelled": True}
        end = await editor.wait_for_end(task_id)
        assert end["type"] == "task_finished" and end["outcome"] == "cancelled"
        assert editor.events_of(task_id, "tool_result") == []
        for pid in pids:
            await wait_gone(pid)

        listed = await editor.request("flambeau/listTraces", {})
        entry = next(t for t in listed["traces"] if t["taskId"] == task_id)
        assert entry["outcome"] == "cancelled" and entry["task"] == "wait a long time"
        assert entry["model"] == "openai/scripted" and entry["locality"] == "local"
        verdict = await editor.request("flambeau/verifyTrace", {"taskId": task_id})
        assert verdict["verdict"] == "intact" and verdict["exitCode"] == 0, verdict
        shown = await editor.request("flambeau/showTrace", {"taskId": task_id})
        assert shown["taskId"] == task_id and shown["path"] == entry["path"]
        assert any(r.get("kind") == "task_end" for r in shown["records"])
        exported = await editor.request("flambeau/exportTrace", {"taskId": task_id, "format": "html"})
        assert Path(exported["path"]).read_text().lstrip().lower().startswith("<!doctype html")
        assert await editor.request("flambeau/cancelTask", {"taskId": task_id}) == {"cancelled": False}

    run_editor(workspace, model_server, scenario)


def test_cancel_request_on_an_execute_command_cancels_its_task(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("run_command", command=LONG_COMMAND))

    async def scenario(editor: Editor) -> None:
        msg_id = f"run-{uuid.uuid4().hex}"
        params = types.ExecuteCommandParams(
            command="flambeau.startTask", arguments=["wait a long time", {"approvalMode": "auto-all"}]
        )
        pending = editor.client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id)
        pids = await running_pids(workspace)
        editor.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
        try:
            await asyncio.wait_for(asyncio.wrap_future(pending), WAIT_S)
            raise AssertionError("the cancelled request answered with a result")
        except JsonRpcRequestCancelled:
            pass
        task_id = editor.events[0]["taskId"]
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "cancelled"
        for pid in pids:
            await wait_gone(pid)
        verdict = await editor.request("flambeau/verifyTrace", {"taskId": task_id})
        assert verdict["verdict"] == "intact", verdict

    run_editor(workspace, model_server, scenario)


def test_cancelling_while_an_approval_waits_records_it_and_a_late_answer_is_harmless(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("run_command", command="touch never.txt"))

    async def scenario(editor: Editor) -> None:
        answer_later = asyncio.Event()
        editor.approval_answers = [answer_later]
        task_id = await editor.start_task("touch a file")
        await editor.wait_until(lambda: len(editor.approval_requests) == 1)
        assert await editor.request("flambeau/cancelTask", {"taskId": task_id}) == {"cancelled": True}
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "cancelled"
        decided = editor.events_of(task_id, "approval_decided")
        assert [(d["approved"], d["by"]) for d in decided] == [(False, "cancelled")]
        answer_later.set()  # the client answers after the server stopped waiting (pygls issue #621)
        listed = await editor.request("flambeau/listTraces", {})
        assert [t["outcome"] for t in listed["traces"] if t["taskId"] == task_id] == ["cancelled"]
        verdict = await editor.request("flambeau/verifyTrace", {"taskId": task_id})
        assert verdict["verdict"] == "intact", verdict

    run_editor(workspace, model_server, scenario)
    assert not (workspace / "never.txt").exists()
    log = (workspace.parent / "server.log").read_text()
    assert "InvalidStateError" not in log and "Traceback" not in log
