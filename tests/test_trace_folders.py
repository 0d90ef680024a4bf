"""The trace writer never follows a link: a state folder swapped for a symbolic link mid-task redirects no
write (nothing lands in ~/.config), the session ends with a clear error instead of a crash, and the
trace written so far is still whole and verifies once the folder is back."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from agent.approval import ApproveAll
from agent.events import Event, ToolResultEvent
from agent.models.resolve import resolve_profile
from agent.runner import TaskSpec, build_session
from agent.trace import TraceWriter, list_traces, verify
from agent.trace.layout import UnsafeStateDir
from agent.trace.redaction import Redactor
from tests.scripted_server import ScriptedModelServer, call


def _config_files() -> list[Path]:
    config = Path(os.environ["XDG_CONFIG_HOME"])
    config.mkdir(parents=True, exist_ok=True)
    return sorted(config.rglob("*"))


def _run(server: ScriptedModelServer, workspace: Path, sink: Any) -> Any:
    profile = resolve_profile("openai/scripted", api_base=server.base_url)
    spec = TaskSpec(task="Look around", workspace=workspace, profile=profile, approval_mode="auto-all")
    return asyncio.run(build_session(spec, ApproveAll(), sink).run())


@pytest.mark.parametrize("folder", ["blobs", "traces"])
def test_a_state_folder_swapped_for_a_link_mid_task_redirects_nothing(
    model_server: ScriptedModelServer, workspace: Path, folder: str
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    before = _config_files()
    model_server.add(*[call("read_file", path="notes.txt") for _ in range(3)], call("attempt_completion", result="ok"))
    state = workspace / ".flambeau"
    swapped: list[str] = []

    def attacker(event: Event) -> None:
        if isinstance(event, ToolResultEvent) and not swapped:
            (state / folder).rename(state / f"{folder}-moved")
            (state / folder).symlink_to(Path(os.environ["XDG_CONFIG_HOME"]), target_is_directory=True)
            swapped.append(folder)

    result = _run(model_server, workspace, attacker)

    assert result.outcome == "failed", result
    assert "its trace is at risk" in result.message and f".flambeau/{folder} was replaced by a symbolic link" in (
        result.message
    )
    assert _config_files() == before, "a write went through the link"
    (state / folder).unlink()
    (state / f"{folder}-moved").rename(state / folder)
    [summary] = list_traces(workspace)
    report = verify(summary.path)
    assert report.status == "intact" and report.witness == "witnessed", report.message
    assert summary.outcome == "failed"


def test_a_link_in_place_of_a_folder_before_the_task_is_refused_not_a_crash(workspace: Path) -> None:
    state = workspace / ".flambeau"
    state.mkdir()
    (state / "blobs").symlink_to(Path(os.environ["XDG_CONFIG_HOME"]) / "nowhere")  # dangling: mkdir would raise
    before = _config_files()
    with pytest.raises(UnsafeStateDir, match=r"\.flambeau/blobs is a symbolic link"):
        TraceWriter(workspace, "t-dangling", redactor=Redactor())
    assert _config_files() == before
    (state / "blobs").unlink()
    (state / "traces").rmdir()
    (state / "traces").symlink_to(workspace.parent, target_is_directory=True)
    with pytest.raises(UnsafeStateDir, match=r"\.flambeau/traces is a symbolic link"):
        TraceWriter(workspace, "t-linked", redactor=Redactor())
    assert not list(workspace.parent.glob("*.jsonl"))


def test_a_fifo_or_link_under_the_trace_name_fails_at_once(workspace: Path) -> None:
    writer = TraceWriter(workspace, "t-fifo", redactor=Redactor())
    os.mkfifo(workspace / ".flambeau" / "traces" / "t-fifo.jsonl")
    with pytest.raises(OSError):
        writer.append({"kind": "note", "text": "x"})  # no reader: opening must not block
