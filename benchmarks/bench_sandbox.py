"""What the command sandbox costs, and how fast a session ends on a signal.

- `run_command("echo hello")` through the tool, in the bubblewrap sandbox a default session builds
  (namespaces, binds, the seccomp filter) and unconfined, alternating runs; target: under 50 ms more;
- SIGTERM and SIGINT to `flambeau run` while a command runs: signal to exit (trace closed); target: < 1 s.

Run: .venv/bin/python benchmarks/bench_sandbox.py [--runs 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 50.0


def echo_times(workspace: Path, runs: int) -> tuple[list[float], list[float]]:
    from tools.base import ToolContext
    from tools.policy.sandbox import containment_for
    from tools.shell import RunCommand, RunCommandArgs
    from tools.workspace.jail import Workspace

    sandbox = containment_for("auto", workspace)
    if sandbox.plan is None:
        raise SystemExit(f"no sandbox here: {sandbox.containment.reason}")
    contexts = {
        "sandboxed": ToolContext(workspace=Workspace(workspace), extra=sandbox.context()),
        "unconfined": ToolContext(workspace=Workspace(workspace)),
    }
    times: dict[str, list[float]] = {"sandboxed": [], "unconfined": []}
    args = RunCommandArgs(command="echo hello")
    for _ in range(runs):
        for name, ctx in contexts.items():
            started = time.perf_counter()
            result = asyncio.run(RunCommand().run(args, ctx))
            times[name].append((time.perf_counter() - started) * 1000)
            assert result.ok and "hello" in result.output, result.output
    return times["sandboxed"], times["unconfined"]


def signal_exit_ms(signum: int) -> float:
    """One `flambeau run` against a scripted model whose first call is a long command; signal to exit."""
    from tests.scripted_server import ScriptedModelServer, call

    with tempfile.TemporaryDirectory() as scratch, ScriptedModelServer() as server:
        workspace = Path(scratch) / "w"
        workspace.mkdir()
        server.add(call("run_command", command="sleep 300 & echo $! > pids.txt; wait"))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": scratch}
        env["XDG_CONFIG_HOME"] = f"{scratch}/.config"
        env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # as in the tests: no fetch of the price list
        command = [sys.executable, "-m", "cli.main", "run", "--workspace", str(workspace), "--model", "openai/scripted"]
        command += ["--api-base", server.base_url, "--approve", "auto-all", "--json", "wait"]
        with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL) as proc:
            while not (workspace / "pids.txt").exists() or not (workspace / "pids.txt").read_text().strip():
                if proc.poll() is not None:
                    raise SystemExit(f"flambeau ended first ({proc.returncode})")
                time.sleep(0.01)
            started = time.perf_counter()
            os.kill(proc.pid, signum)
            proc.wait(timeout=30)
            return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--signals", type=int, default=3, help="runs per signal")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Path(scratch) / "workspace"
        workspace.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
        sandboxed, unconfined = echo_times(workspace, options.runs)
    extra = statistics.median(sandboxed) - statistics.median(unconfined)
    print(f"run_command('echo hello'), median of {options.runs}:")
    for name, times in (("sandboxed", sandboxed), ("unconfined", unconfined)):
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"  {name:<10} {statistics.median(times):7.1f} ms  (p90 {p90:.1f})")
    print(f"  the sandbox costs {extra:+.1f} ms (target < {TARGET_MS:.0f} ms)")
    worst = 0.0
    for signum in (signal.SIGTERM, signal.SIGINT):
        runs = [signal_exit_ms(signum) for _ in range(options.signals)]
        worst = max(worst, *runs)
        print(f"{signal.Signals(signum).name} to exit of flambeau run: " + ", ".join(f"{r:.0f} ms" for r in runs))
    return 0 if extra < TARGET_MS and worst < 1000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
