"""The first task's start, in the editor and on the command line, measured side by side in one run:

- editor: a fresh `flambeau lsp` gets `initialize` + `initialized`, idles `--idle` seconds (5 by default),
  then `flambeau/startTask`; the figure is the time from sending startTask to the scripted model server
  receiving the task's first chat request (target: 0.5 s);
- command line: the wall time of a one-step `flambeau run` against the scripted server, next to a bare
  `python -c "import litellm"` started in the same run (target: within 1.25x).

Runs alternate so every figure sees the same machine load; the load average is printed with them.

Run: .venv/bin/python benchmarks/bench_first_task.py [--runs 5] [--idle 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.raw_lsp import RawServer  # noqa: E402
from tests.scripted_server import ScriptedModelServer, call  # noqa: E402

BARE_IMPORT = [sys.executable, "-c", "import litellm"]


def editor_first_request_ms(model: ScriptedModelServer, root: Path, idle_s: float) -> float:
    workspace = Path(tempfile.mkdtemp(prefix="project-", dir=root))
    server = RawServer(workspace, root / "server.log")
    try:
        server.initialize({"model": "openai/scripted", "apiBase": model.base_url, "approvalMode": "auto-all"})
        time.sleep(idle_s)  # the scenario: the editor has been open a while before the first task
        seen = len(model.chat_requests)
        model.add(call("attempt_completion", result="done"))
        started = time.perf_counter()
        server.send({"jsonrpc": "2.0", "id": 99, "method": "flambeau/startTask", "params": {"task": "say done"}})
        while len(model.chat_requests) == seen:
            time.sleep(0.001)
        return (time.perf_counter() - started) * 1000
    finally:
        server.close()


def cli_run_ms(model: ScriptedModelServer, root: Path) -> float:
    workspace = Path(tempfile.mkdtemp(prefix="cli-", dir=root))
    model.add(call("attempt_completion", result="done"))
    command = [sys.executable, "-m", "cli.main", "run", "--workspace", str(workspace), "--model", "openai/scripted"]
    command += ["--api-base", model.base_url, "--approve", "auto-all", "say done"]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def bare_import_ms() -> float:
    started = time.perf_counter()
    subprocess.run(BARE_IMPORT, check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def line(label: str, values: list[float]) -> str:
    return f"{label:<52} median {statistics.median(values):8.1f} ms   min {min(values):8.1f}   max {max(values):8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds between initialized and startTask")
    args = parser.parse_args()
    loads = [load()]
    editor: list[float] = []
    cli: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer() as model:
        root = Path(tmp)
        bare_import_ms()  # warm the page cache and .pyc files
        cli_run_ms(model, root)
        for _ in range(args.runs):
            editor.append(editor_first_request_ms(model, root, args.idle))
            bare.append(bare_import_ms())
            cli.append(cli_run_ms(model, root))
            loads.append(load())
    print(f"{args.runs} alternating runs; load average before and after each run: {' / '.join(loads)}")
    print(line(f"editor: startTask -> first model request ({args.idle:g} s idle)", editor))
    print(line("flambeau run, one step (scripted model)", cli))
    print(line("bare python -c 'import litellm'", bare))
    ratio = statistics.median(cli) / statistics.median(bare)
    print(f"flambeau run / bare import litellm, medians: {ratio:.2f}x (target: within 1.25x)")
    print(f"editor first request, median: {statistics.median(editor) / 1000:.2f} s (target: within 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
