"""Trace figures: verify throughput on a 100,000-record trace (records/s, MB/s), and the latency the
trace writer adds per record while the agent runs (fsync included), against the scripted model.

Run: .venv/bin/python benchmarks/bench_trace.py [--records 100000] [--sessions 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def synthetic_trace(workspace: Path, records: int) -> Path:
    """A trace of realistic records (request bodies, outputs and file contents as blobs) written by the
    real TraceWriter; fsync is skipped while generating only, to build 100,000 records quickly."""
    from agent import events as ev
    from agent.trace import TraceWriter
    from agent.trace.redaction import Redactor
    from tools.base import FileChange, sha256_bytes

    task = "bench"
    writer = TraceWriter(workspace, task, redactor=Redactor({"not-a-real-secret-value"}))
    filler = "x" * 3000
    with (
        mock.patch("agent.trace.writer._sync", lambda fd: None),
        mock.patch("agent.trace.packs._sync", lambda fd: None),
    ):
        writer(ev.TaskStarted(task_id=task, task="benchmark", workspace=str(workspace), model="openai/scripted"))
        step = 0
        while writer.tree.size < records - 12:
            step += 1
            body = {"model": "scripted", "messages": [{"role": "user", "content": f"step {step} {filler}"}]}
            writer(ev.ModelRequest(task_id=task, step=step, model="openai/scripted", body=body))
            writer(ev.TextDelta(task_id=task, text=f"thinking about step {step}"))
            writer(ev.Usage(task_id=task, step=step, model="openai/scripted", prompt_tokens=900, completion_tokens=40))
            call = f"call_{step}"
            writer(ev.ToolCallProposed(task_id=task, call_id=call, tool="write_file", arguments={"path": "a.txt"}))
            writer(ev.ApprovalDecided(task_id=task, call_id=call, tool="write_file", approved=True, by="auto"))
            after = f"content {step}\n".encode()
            change = FileChange("a.txt", None, sha256_bytes(after), f"+content {step}\n", after_content=after)
            writer(
                ev.ToolResultEvent(
                    task_id=task, call_id=call, tool="write_file", output=f"wrote {step}", file_changes=[change]
                )
            )
        writer(ev.TaskFinished(task_id=task, outcome="completed", result="done", steps=step))
    return writer.path


def bench_verify(records: int) -> dict[str, float]:
    from agent.trace import verify
    from agent.trace.layout import blobs_dir_for

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = synthetic_trace(Path(tmp), records)
        generated = time.perf_counter() - started
        size = path.stat().st_size
        blobs = sum(p.stat().st_size for p in blobs_dir_for(path).rglob("*") if p.is_file())
        timings, cpu, child_cpu = [], [], []
        for _ in range(3):
            started, started_cpu, started_child = time.perf_counter(), time.process_time(), _children_cpu()
            report = verify(path, trusted_keys=[_public_key(path)])
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            child_cpu.append(_children_cpu() - started_child)
            assert report.status == "intact", report.message
        best = min(timings)
        return {
            "records": report.records,
            "trace_mb": size / 1e6,
            "blob_mb": blobs / 1e6,
            "generate_s": generated,
            "verify_s": best,
            "records_per_s": report.records / best,
            "verify_cpu_s": min(cpu),
            "records_per_cpu_s": report.records / min(cpu),
            "child_cpu_s": child_cpu[cpu.index(min(cpu))],
            "trace_mb_per_s": size / 1e6 / best,
            "all_mb_per_s": (size + blobs) / 1e6 / best,
        }


def _children_cpu() -> float:
    """CPU seconds of waited-for children: verify's forked blob check (agent/trace/blob_check.py)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _public_key(path: Path) -> str:
    import json

    with path.open("rb") as handle:
        return str(json.loads(handle.readline())["public_key"])


async def _sessions(count: int, traced: bool) -> tuple[list[float], list[float], int]:
    from agent.approval import ApproveAll
    from agent.models.resolve import resolve_profile
    from agent.runner import TaskSpec, build_session
    from agent.trace import TraceWriter
    from tests.scripted_server import ScriptedModelServer
    from tests.trace_sessions import editing_script

    per_record: list[float] = []
    walls: list[float] = []
    records = 0
    with ScriptedModelServer() as server, tempfile.TemporaryDirectory() as tmp:
        for index in range(count):
            workspace = Path(tmp) / f"ws{index}"
            workspace.mkdir()
            (workspace / "notes.txt").write_text("hello\n")
            server.add(*editing_script())
            profile = resolve_profile("openai/scripted", api_base=server.base_url)
            spec = TaskSpec(task="t", workspace=workspace, profile=profile, approval_mode="auto-all", trace=False)
            writer: list[TraceWriter] = []

            def sink(event: Any, writer: list[TraceWriter] = writer, workspace: Path = workspace) -> None:
                if not traced:
                    return
                if not writer:
                    writer.append(TraceWriter.for_session(workspace, event.task_id, set()))
                before = writer[0].tree.size
                started = time.perf_counter()
                writer[0](event)
                written = writer[0].tree.size - before
                if written:
                    per_record.append((time.perf_counter() - started) / written)

            session = build_session(spec, ApproveAll(), sink)
            started = time.perf_counter()
            await session.run()
            walls.append(time.perf_counter() - started)
            records += writer[0].tree.size if writer else 0
    return per_record, walls, records


def bench_latency(sessions: int) -> dict[str, float]:
    asyncio.run(_sessions(1, True))  # warm litellm and the keyring
    per_record, traced_walls, records = asyncio.run(_sessions(sessions, True))
    _, plain_walls, _ = asyncio.run(_sessions(sessions, False))
    per_record.sort()
    return {
        "records": records,
        "mean_ms": statistics.mean(per_record) * 1000,
        "p50_ms": per_record[len(per_record) // 2] * 1000,
        "p95_ms": per_record[int(len(per_record) * 0.95)] * 1000,
        "session_traced_s": statistics.median(traced_walls),
        "session_untraced_s": statistics.median(plain_walls),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--verify-only", action="store_true", help="skip the writer-latency sessions")
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

    figures = bench_verify(args.records)
    print(
        f"verify: {figures['records']:,.0f} records, trace {figures['trace_mb']:.1f} MB + blobs "
        f"{figures['blob_mb']:.1f} MB in {figures['verify_s']:.2f} s → {figures['records_per_s']:,.0f} records/s, "
        f"{figures['trace_mb_per_s']:.1f} MB/s of trace ({figures['all_mb_per_s']:.1f} MB/s with blobs); "
        f"CPU {figures['verify_cpu_s']:.2f} s → {figures['records_per_cpu_s']:,.0f} records per CPU second "
        f"(+ {figures['child_cpu_s']:.2f} s in the forked blob check); "
        f"generated in {figures['generate_s']:.1f} s"
    )
    if args.verify_only:
        return 0
    latency = bench_latency(args.sessions)
    print(
        f"writer latency while the agent runs ({args.sessions} sessions, {latency['records']:,.0f} records, fsync "
        f"included): mean {latency['mean_ms']:.2f} ms, p50 {latency['p50_ms']:.2f} ms, p95 {latency['p95_ms']:.2f} ms "
        f"per record; session median {latency['session_traced_s']:.3f} s traced vs "
        f"{latency['session_untraced_s']:.3f} s untraced"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
