"""Trace storage of a long session: blob bytes on disk against what whole request bodies would take.

A real session against the scripted model server (32k window): read a file, write a file, run a
command, in turn, for --steps steps. Reported: the trace's blobs (its pack), the sum of the exact
request bodies (what storing each body whole — the scheme before content-addressed messages — would
have taken on top of the other blobs), the trace file, and a full `verify` (every body rebuilt).

Run: .venv/bin/python benchmarks/bench_trace_storage.py [--steps 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOTES = "".join(f"line {i}: the quick brown fox jumps over the lazy dog {i * 7}\n" for i in range(40))


def script(steps: int) -> list[object]:
    from tests.scripted_server import call

    replies: list[object] = []
    for step in range(steps):
        kind = step % 3
        if kind == 0:
            replies.append(call("read_file", path="notes.txt"))
        elif kind == 1:
            content = "".join(f"step {step} row {i}: {'x' * 40}\n" for i in range(20))
            replies.append(call("write_file", path=f"out/f{step % 7}.txt", content=content))
        else:
            replies.append(call("run_command", command=f"cat out/f{(step - 1) % 7}.txt | head -n 15"))
    replies.append(call("attempt_completion", result="done"))
    return replies


async def session(steps: int, workspace: Path) -> tuple[Path, float]:
    from agent.approval import ApproveAll
    from agent.models.profile import ModelProfile
    from agent.runner import TaskSpec, build_session
    from agent.session import Limits
    from agent.trace import list_traces
    from tests.scripted_server import ScriptedModelServer

    with ScriptedModelServer() as server:
        server.add(*script(steps))
        profile = ModelProfile(name="bench", model="openai/scripted", api_base=server.base_url, context_window=32768)
        spec = TaskSpec(
            task="bench",
            workspace=workspace,
            profile=profile,
            approval_mode="auto-all",
            limits=Limits(max_steps=steps + 5),
        )
        started = time.perf_counter()
        result = await build_session(spec, ApproveAll(), lambda event: None).run()
        wall = time.perf_counter() - started
        assert result.outcome == "completed", result.message
    return list_traces(workspace)[0].path, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from agent.trace import verify
    from agent.trace.layout import blobs_dir_for

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        (workspace / "notes.txt").write_text(NOTES)
        trace, wall = asyncio.run(session(args.steps, workspace))
        records = [json.loads(line) for line in trace.read_bytes().splitlines()]
        requests = [r for r in records if r["kind"] == "model_request"]
        bodies = sum(int(r["body_bytes"]) for r in requests)
        blobs = sum(p.stat().st_size for p in blobs_dir_for(trace).rglob("*") if p.is_file())
        trace_bytes = trace.stat().st_size
        started = time.perf_counter()
        report = verify(trace, trusted_keys=[records[0]["public_key"]])
        verify_s = time.perf_counter() - started
        assert report.status == "intact", report.message
    largest = max(r["body_bytes"] for r in requests) / 1e3
    print(
        f"{args.steps} steps ({len(requests)} requests, largest body {largest:.0f} KB) in {wall:.0f} s: "
        f"blobs {blobs / 1e6:.2f} MB on disk; the exact request bodies add up to {bodies / 1e6:.1f} MB "
        f"(stored whole, as before); trace {trace_bytes / 1e6:.2f} MB; verify with every body rebuilt "
        f"{verify_s:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
