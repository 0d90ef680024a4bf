"""SIGKILL a real agent process at 50 random moments: every trace verifies up to its last whole
record, and a torn last line is reported as damage (exit 2), never as tampering."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.trace import verify
from agent.trace.layout import traces_dir
from tests.conftest import ROOT
from tests.scripted_server import Reply, ScriptedModelServer
from tests.trace_sessions import editing_script

KILLS = 50
SEED = 50


def stateless_reply(body: dict[str, Any]) -> Reply:
    """The editing script's next reply, chosen by how many results the conversation already holds,
    so every session (however the previous one ended) gets the whole script."""
    done = sum(1 for m in body.get("messages", []) if m.get("role") == "tool")
    script = editing_script()
    return script[min(done, len(script) - 1)]


class Harness:
    def __init__(self, base_url: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.trace_crash_harness", base_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def start(self, workspace: Path) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{workspace}\n")
        self.proc.stdin.flush()
        word, pid = self._line().split()
        assert word == "pid"
        return int(pid)

    def wait_exit(self) -> int:
        word, status = self._line().split()
        assert word == "exit"
        return int(status)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture
def harness(model_server: ScriptedModelServer) -> Iterator[Harness]:
    model_server.add(*[stateless_reply] * (KILLS + 1) * 8)
    running = Harness(model_server.base_url)
    yield running
    running.close()


def _trace_size(workspace: Path) -> int:
    folder = traces_dir(workspace)
    return sum(p.stat().st_size for p in folder.glob("*.jsonl")) if folder.is_dir() else 0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _new_workspace(root: Path, name: str) -> Path:
    workspace = root / name
    workspace.mkdir()
    (workspace / "notes.txt").write_text("hello\n")
    return workspace


@pytest.mark.timeout(1200)  # 51 real agent sessions: on a shared 2-core machine under load they take over 300 s
def test_sigkill_at_random_moments_leaves_verifiable_prefixes(harness: Harness, tmp_path: Path) -> None:
    complete = _new_workspace(tmp_path, "complete")
    harness.start(complete)
    assert harness.wait_exit() == 0
    full_size = _trace_size(complete)
    [full_trace] = traces_dir(complete).glob("*.jsonl")
    assert verify(full_trace).status == "intact"

    full_lines = full_trace.read_bytes().split(b"\n")[:-1]
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    for run in range(KILLS):
        workspace = _new_workspace(tmp_path, f"kill{run}")
        target = rng.randint(1, full_size)
        pid = harness.start(workspace)
        while _trace_size(workspace) < target and _alive(pid):
            time.sleep(0.0005)
        os.kill(pid, signal.SIGKILL)
        status = harness.wait_exit()
        traces = list(traces_dir(workspace).glob("*.jsonl")) if traces_dir(workspace).is_dir() else []
        if not traces:
            outcomes["killed before the first record"] += 1
            continue
        [trace] = traces
        data = trace.read_bytes()
        whole = data.count(b"\n")
        torn = not data.endswith(b"\n") and bool(data)
        report = verify(trace)
        context = f"run {run} (target {target} of {full_size} bytes, status {status}): {report.message}"
        assert report.status != "tampered", context
        assert report.verified_records == whole, context
        if report.status == "intact":
            outcomes["finished before the kill"] += 1
            continue
        assert report.status == "damaged" and report.exit_code == 2, context
        assert report.first_bad_record == whole, context
        outcomes["torn last line" if torn else "stopped between records"] += 1
        if torn:
            assert "incomplete" in report.message, context
        else:
            _assert_torn_tail_is_damage(trace, full_lines[min(whole, len(full_lines) - 1)], whole, context)
    print(dict(outcomes))
    assert outcomes["stopped between records"] + outcomes["torn last line"] >= KILLS // 2, outcomes


def _assert_torn_tail_is_damage(trace: Path, next_line: bytes, whole: int, context: str) -> None:
    """A single write() of a whole line is what SIGKILL interrupts, so a kill rarely tears one; a torn
    tail (power loss, full disk) is simulated here by appending half of the record that came next."""
    intact_prefix = trace.read_bytes()
    trace.write_bytes(intact_prefix + next_line[: max(1, len(next_line) // 2)])
    report = verify(trace)
    assert report.status == "damaged" and report.exit_code == 2, context
    assert report.first_bad_record == whole and report.verified_records == whole, context
    assert "incomplete" in report.message, context
    trace.write_bytes(intact_prefix)
