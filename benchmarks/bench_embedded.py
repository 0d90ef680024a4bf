"""Embedded-model figures: server start (GGUF assembled and cached, model loaded, port answering),
the cached GGUF SHA-256, and the wall time of `flambeau run --model local "Run the command echo flambeau"`.

Run: .venv/bin/python benchmarks/bench_embedded.py [--runs 3]
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


def server_start() -> tuple[float, int]:
    from agent.models.embedded import EmbeddedServer

    started = time.perf_counter()
    with EmbeddedServer() as server:
        elapsed = time.perf_counter() - started
        return elapsed, server.n_ctx


def digest_time() -> tuple[float, float]:
    from agent.models.embedded import gguf_path
    from agent.models.provenance import cache_path, file_sha256

    path = gguf_path()
    cache_path().unlink(missing_ok=True)
    started = time.perf_counter()
    file_sha256(path)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    file_sha256(path)
    return cold, time.perf_counter() - started


def task_wall() -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="flambeau-bench-") as tmp:
        command = [
            sys.executable, "-m", "cli.main", "run", "--workspace", tmp, "--model", "local",
            "--approve", "auto-all", "--json", "Run the command echo flambeau",
        ]  # fmt: skip
        started = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT, capture_output=True).returncode
        return time.perf_counter() - started, code


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    starts = [server_start() for _ in range(runs)]
    print(f"embedded server start (median of {runs}): {statistics.median(s for s, _ in starts):.2f} s, "
          f"n_ctx {starts[0][1]}")  # fmt: skip
    cold, warm = digest_time()
    print(f"GGUF SHA-256: {cold:.2f} s cold, {warm * 1000:.1f} ms cached")
    walls = [task_wall() for _ in range(runs)]
    ok = sum(code == 0 for _, code in walls)
    print(f"'Run the command echo flambeau' end to end (median of {runs}): "
          f"{statistics.median(w for w, _ in walls):.1f} s, {ok}/{runs} completed")  # fmt: skip
    return 0 if ok == runs else 1


if __name__ == "__main__":
    sys.exit(main())
