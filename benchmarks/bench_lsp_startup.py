"""Language server start-up: time from process start to the `initialize` response, side by side with a
bare pygls server that only answers `initialize` (the floor: Python + pygls + lsprotocol), and the
server's resident memory when idle after `initialize`.

Runs alternate between the two servers so both see the same machine load.

Run: .venv/bin/python benchmarks/bench_lsp_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_SERVER = "from pygls.lsp.server import LanguageServer\nLanguageServer('bare', '1').start_io()\n"


def frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def read_message(stream: object) -> dict[str, object]:
    length = 0
    while True:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            raise EOFError("the server closed its output")
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        elif not line.strip() and length:
            message: dict[str, object] = json.loads(stream.read(length))  # type: ignore[attr-defined]
            return message


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def one_start(argv: list[str], workspace: Path) -> tuple[float, int, float]:
    """Milliseconds from spawning the server to its complete initialize response; RSS (KiB) when idle;
    CPU milliseconds (user + system) of the whole process life, exit included."""
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}},
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=workspace
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(frame(initialize))
    proc.stdin.flush()
    while read_message(proc.stdout).get("id") != 1:
        pass
    elapsed = (time.perf_counter() - started) * 1000
    proc.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    proc.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    proc.stdin.flush()
    while read_message(proc.stdout).get("id") != 2:
        pass
    rss = resident_kib(proc.pid)
    proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    proc.stdin.close()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return elapsed, rss, (usage.ru_utime + usage.ru_stime) * 1000


def summary(name: str, times: list[float], rss: list[int], cpu: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"{name:<20} to initialize: median {statistics.median(times):6.1f} ms, min {ordered[0]:6.1f} ms, "
        f"p90 {p90:6.1f} ms | CPU median {statistics.median(cpu):6.1f} ms | "
        f"idle RSS {statistics.median(rss) / 1024:5.1f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    flambeau = shutil.which("flambeau", path=str(Path(sys.executable).parent))
    flambeau_argv = [flambeau, "lsp"] if flambeau else [sys.executable, "-m", "cli.main", "lsp"]
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        bare_file = workspace / "bare_server.py"
        bare_file.write_text(BARE_SERVER)
        bare_argv = [sys.executable, str(bare_file)]
        one_start(bare_argv, workspace)  # warm the page cache and .pyc files for both
        one_start(flambeau_argv, workspace)
        results: dict[str, tuple[list[float], list[int], list[float]]] = {
            "bare": ([], [], []),
            "flambeau": ([], [], []),
        }
        for _ in range(args.runs):
            for name, argv in (("bare", bare_argv), ("flambeau", flambeau_argv)):
                elapsed, rss, cpu = one_start(argv, workspace)
                results[name][0].append(elapsed)
                results[name][1].append(rss)
                results[name][2].append(cpu)
    print(f"{args.runs} alternating runs each: {' '.join(flambeau_argv)} vs a bare pygls server; load {load()}")
    print(summary("bare pygls (floor)", *results["bare"]))
    print(summary("flambeau lsp", *results["flambeau"]))
    for label, index in (("wall median", 0), ("wall min", 0), ("CPU median", 2)):
        pick = min if label == "wall min" else statistics.median
        ratio = pick(results["flambeau"][index]) / pick(results["bare"][index])  # type: ignore[arg-type]
        print(f"flambeau / floor, {label}: {ratio:.3f} ({(ratio - 1) * 100:+.1f}%; target within +15%)")
    return 0


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
