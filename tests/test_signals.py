"""SIGINT and SIGTERM end a session at once, its command killed and its trace closed: `flambeau run` and
`flambeau lsp` as real processes, signalled while a command runs (issue 11, point 6). How fast is
measured in benchmarks/bench_sandbox.py; here the end must come well inside the test's patience."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.trace import list_traces, verify
from tests.conftest import FLAMBEAU, ROOT
from tests.lsp_harness import start_editor
from tests.processes import host_pids_running
from tests.scripted_server import ScriptedModelServer, call

END_WAIT_S = 20.0
SIGNALS = [signal.SIGINT, signal.SIGTERM]


def _long_command() -> tuple[str, str]:
    """A command that runs until killed, and the marker its host processes carry in their command line
    (the sandbox's own PID namespace hides host pids from the command itself)."""
    marker = f"{300 + uuid.uuid4().int % 600}.{uuid.uuid4().int % 10**6:06d}"
    return f"sleep {marker} & echo started > started.txt; wait", marker


def _wait_started(workspace: Path, marker: str, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not ((workspace / "started.txt").exists() and host_pids_running(marker)):
        assert alive(), "flambeau ended before the command started"
        assert time.monotonic() < deadline, "the command never started"
        time.sleep(0.02)


def _wait_marker_gone(marker: str) -> None:
    deadline = time.monotonic() + END_WAIT_S
    while host_pids_running(marker):
        assert time.monotonic() < deadline, f"sleep {marker} outlived the session"
        time.sleep(0.02)


def _assert_closed_cancelled_trace(workspace: Path) -> None:
    [summary] = list_traces(workspace)
    assert summary.outcome == "cancelled"
    report = verify(summary.path)
    assert report.status == "intact", report.message


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_flambeau_run_ends_on_a_signal_with_its_trace_closed(
    model_server: ScriptedModelServer, workspace: Path, signum: int
) -> None:
    long_command, marker = _long_command()
    model_server.add(call("run_command", command=long_command))
    command = [*FLAMBEAU, "run", "--workspace", str(workspace), "--model", "openai/scripted"]
    command += ["--api-base", model_server.base_url, "--approve", "auto-all", "--json", "wait"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, cwd=ROOT) as proc:
        _wait_started(workspace, marker, lambda: proc.poll() is None)
        os.kill(proc.pid, signum)
        out, _ = proc.communicate(timeout=END_WAIT_S)
    assert proc.returncode == 130
    assert b'"outcome": "cancelled"' in out
    _wait_marker_gone(marker)
    _assert_closed_cancelled_trace(workspace)


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_flambeau_lsp_ends_on_a_signal_with_its_tasks_traces_closed(
    model_server: ScriptedModelServer, workspace: Path, signum: int
) -> None:
    long_command, marker = _long_command()
    model_server.add(call("run_command", command=long_command))

    async def scenario() -> int:
        init = {"model": "openai/scripted", "apiBase": model_server.base_url}
        editor, _ = await start_editor(workspace, workspace.parent / "server.log", init_options=init)
        server = editor.client._server  # type: ignore[attr-defined]
        assert server is not None
        try:
            await editor.start_task("wait a long time", approvalMode="auto-all")
            await asyncio.to_thread(_wait_started, workspace, marker, lambda: server.returncode is None)
            os.kill(server.pid, signum)
            code: int = await asyncio.wait_for(server.wait(), END_WAIT_S)
            await asyncio.to_thread(_wait_marker_gone, marker)
            return code
        finally:
            if server.returncode is None:
                server.kill()
            await editor.client.stop()

    assert asyncio.run(scenario()) == 128 + signum
    _assert_closed_cancelled_trace(workspace)
