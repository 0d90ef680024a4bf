"""Language server cancellation: how long `flambeau/cancelTask` takes to stop a task, measured over
stdio against the scripted model server, in two places a task spends its time:

- running a command (`sleep 300` in a shell): until the answer (the task has ended, its trace is
  closed) and until the command's processes are gone;
- waiting for the model (a reply the scripted server holds back): until the answer.

Run: .venv/bin/python benchmarks/bench_lsp_cancel.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.lsp_harness import process_gone  # noqa: E402
from tests.raw_lsp import RawServer  # noqa: E402
from tests.scripted_server import Reply, ScriptedModelServer, call  # noqa: E402

COMMAND = "sleep 300 & echo $$ $! > pids.txt; wait"


def wait_until(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.002)


def cancel_ms(server: RawServer, task_id: str) -> float:
    started = time.perf_counter()
    answer = server.request("flambeau/cancelTask", {"taskId": task_id})
    assert answer["result"] == {"cancelled": True}, answer
    return (time.perf_counter() - started) * 1000


def during_command(server: RawServer, model: ScriptedModelServer, workspace: Path) -> tuple[float, float]:
    pids_file = workspace / "pids.txt"
    pids_file.unlink(missing_ok=True)
    model.add(call("run_command", command=COMMAND))
    task_id = server.request("flambeau/startTask", {"task": "wait"})["result"]["taskId"]
    wait_until(lambda: pids_file.exists() and pids_file.read_text().strip())
    pids = [int(p) for p in pids_file.read_text().split()]
    started = time.perf_counter()
    answered = cancel_ms(server, task_id)
    wait_until(lambda: all(process_gone(pid) for pid in pids))
    return answered, (time.perf_counter() - started) * 1000


def during_model_call(server: RawServer, model: ScriptedModelServer) -> float:
    held = threading.Event()
    seen = len(model.chat_requests)
    model.add(Reply(text="never sent", wait_for=held))  # held back for good: the task is cancelled first
    task_id = server.request("flambeau/startTask", {"task": "think"})["result"]["taskId"]
    model.wait_for_requests(seen + 1, timeout=120)
    return cancel_ms(server, task_id)


def line(label: str, values: list[float]) -> str:
    return f"{label:<44} median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer() as model:
        workspace = Path(tmp) / "project"
        workspace.mkdir()
        server = RawServer(workspace, Path(tmp) / "server.log")
        try:
            server.initialize({"model": "openai/scripted", "apiBase": model.base_url, "approvalMode": "auto-all"})
            command = [during_command(server, model, workspace) for _ in range(args.runs)]
            waiting = [during_model_call(server, model) for _ in range(args.runs)]
        finally:
            server.close()
    print(f"{args.runs} runs each (target: a task stops within 1,000 ms)")
    print(line("cancel during a command -> answer", [a for a, _ in command]))
    print(line("cancel during a command -> processes gone", [g for _, g in command]))
    print(line("cancel while the model is answering -> answer", waiting))
    return 0


if __name__ == "__main__":
    sys.exit(main())
