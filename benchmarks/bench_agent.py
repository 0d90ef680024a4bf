"""Agent-core figures: `flambeau --help` wall time, import time of the agent package (litellm not
imported), and the agent's own overhead per step against the scripted model server, HTTP excluded.

Run: .venv/bin/python benchmarks/bench_agent.py [--steps 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def wall_ms(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        times.append((time.perf_counter() - started) * 1000)
    return times


def help_time(runs: int) -> float:
    exe = shutil.which("flambeau", path=str(Path(sys.executable).parent)) or "flambeau"
    return statistics.median(wall_ms([exe, "--help"], runs))


def import_time(runs: int) -> tuple[float, float, bool]:
    code = "import agent.runner, agent.session, agent.models.gateway, agent.context, tools.registry"
    baseline = statistics.median(wall_ms([sys.executable, "-c", "pass"], runs))
    with_agent = statistics.median(wall_ms([sys.executable, "-c", code], runs))
    check = subprocess.run(
        [sys.executable, "-c", f"{code}; import sys; print('litellm' in sys.modules)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return with_agent - baseline, with_agent, check.stdout.strip() == "True"


async def step_overhead(steps: int, trace: bool) -> dict[str, float]:
    from agent.approval import ApproveAll
    from agent.models.profile import ModelProfile
    from agent.runner import TaskSpec, build_session
    from agent.session import Limits
    from tests.scripted_server import ScriptedModelServer, call

    model_seconds: list[float] = []
    step_seconds: list[float] = []
    tool_seconds: list[float] = []

    def on_event(event: Any) -> None:
        if getattr(event, "type", "") == "tool_result":
            tool_seconds.append(float(event.duration_s))

    with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer() as server:
        workspace = Path(tmp)
        (workspace / "a.txt").write_text("hello\n")
        server.add(*[call("read_file", path="a.txt") for _ in range(steps)], call("attempt_completion", result="ok"))
        profile = ModelProfile(name="bench", model="openai/scripted", api_base=server.base_url, context_window=32768)
        spec = TaskSpec(
            task="bench",
            workspace=workspace,
            profile=profile,
            approval_mode="auto-all",
            limits=Limits(max_steps=steps + 5),
        )
        session = build_session(spec, ApproveAll(), on_event)
        gateway = session.gateway
        original_complete = gateway.complete

        async def timed_complete(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original_complete(*args, **kwargs)
            finally:
                model_seconds.append(time.perf_counter() - started)

        gateway.complete = timed_complete  # type: ignore[method-assign]
        original_step: Callable[[], Awaitable[None]] = session.step

        async def timed_step() -> None:
            started = time.perf_counter()
            try:
                await original_step()
            finally:
                step_seconds.append(time.perf_counter() - started)

        session.step = timed_step  # type: ignore[method-assign]
        result = await session.run()
        assert result.outcome == "completed", result.message
    # The first step pays one-time costs (litellm import, tokenizer load): report it apart.
    overheads = [s - m - t for s, m, t in zip(step_seconds[1:-1], model_seconds[1:-1], tool_seconds[1:], strict=False)]
    return {
        "steps": len(overheads),
        "overhead_median_ms": statistics.median(overheads) * 1000,
        "overhead_p90_ms": statistics.quantiles(overheads, n=10)[-1] * 1000,
        "model_call_median_ms": statistics.median(model_seconds[1:]) * 1000,
        "first_step_ms": step_seconds[0] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    print(f"flambeau --help: median {help_time(args.runs):.1f} ms over {args.runs} runs (target < 300 ms)")
    added, total, litellm_loaded = import_time(args.runs)
    print(
        f"import agent package: +{added:.1f} ms over a bare interpreter ({total:.1f} ms in all); "
        f"litellm imported: {litellm_loaded}"
    )
    for trace in (False, True):
        figures = asyncio.run(step_overhead(args.steps, trace))
        label = "with the trace (a disk sync per record)" if trace else "trace off"
        print(
            f"per-step agent overhead, {label}, HTTP and tool run excluded, {figures['steps']:.0f} steps: "
            f"median {figures['overhead_median_ms']:.2f} ms, p90 {figures['overhead_p90_ms']:.2f} ms "
            f"(target < 5 ms); model call median {figures['model_call_median_ms']:.2f} ms; "
            f"first step {figures['first_step_ms']:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
