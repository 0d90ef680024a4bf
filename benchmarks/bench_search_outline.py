"""search_files, list_definitions and the repo map on Django's source tree, side by side with aider's RepoMap.

One command (from the repository root):

    .venv/bin/python benchmarks/bench_search_outline.py

The first run downloads the Django 5.1 sdist (PyPI) and installs aider-chat into its own virtualenv,
both under benchmarks/.cache (gitignored). Every run works on a fresh copy of the tree. "Cold" is the
first call in the process with empty caches; "warm" is the next call after one file changed (median of
several rounds); "disk warm" is a new map object reading the on-disk cache after one file changed.
Imports are not timed. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE.parent))

from tools.outline import ListDefinitions, source_files  # noqa: E402
from tools.search import candidate_files, compile_regex, search, search_with_python  # noqa: E402
from tools.workspace.repomap import RepoMap  # noqa: E402

CHANGED = "django/db/models/query.py"
REGEXES = [r"def get_\w+\(", r"TODO|FIXME", r"class \w+\(models\.Model\)"]
MAP_TOKENS = 1024


def django_tree() -> Path:
    """The pristine Django source tree, downloaded and unpacked on first use."""
    found = sorted(p for p in CACHE.glob("django-5.1.*") if p.is_dir())
    if found:
        return found[-1]
    CACHE.mkdir(parents=True, exist_ok=True)
    archives = sorted(CACHE.glob("django-5.1.*.tar.gz"))
    if not archives:
        download = ["download", "--no-deps", "--no-binary", ":all:", "django==5.1.*", "-d", str(CACHE)]
        subprocess.run([sys.executable, "-m", "pip", *download], check=True)
        archives = sorted(CACHE.glob("django-5.1.*.tar.gz"))
    with tarfile.open(archives[-1]) as archive:
        archive.extractall(CACHE, filter="data")
    return sorted(p for p in CACHE.glob("django-5.1.*") if p.is_dir())[-1]


def aider_python() -> Path:
    """aider-chat in its own virtualenv (never in the project's .venv)."""
    venv = CACHE / "aider-venv"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import aider.repomap"]
    installed = python.exists() and subprocess.run(probe, check=False).returncode == 0
    if not installed:
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "aider-chat"], check=True)
    return python


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


class OneFileChange:
    """Appends a new function to one file, a different one each round; restores the file at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_bytes()
        self.round = 0

    def next(self) -> None:
        self.round += 1
        self.path.write_bytes(self.original + f"\n\ndef bench_added_{self.round}(qs):\n    return qs\n".encode())

    def restore(self) -> None:
        self.path.write_bytes(self.original)


def warm_median(change: OneFileChange, rounds: int, action: Callable[[], Any]) -> float:
    """Median time of `action`, each round just after one file changed."""
    times = []
    for _ in range(rounds):
        change.next()
        times.append(timed(action))
    return statistics.median(times)


def ours(root: Path, rounds: int, map_cache: Path) -> dict[str, float]:
    change = OneFileChange(root / CHANGED)
    results: dict[str, float] = {}
    try:
        for regex in REGEXES:
            compiled = compile_regex(regex)

            def run_search(regex: str = regex, compiled: re.Pattern[str] = compiled) -> None:
                search(root, ".", regex, compiled, None)

            results[f"search_files /{regex}/ cold"] = timed(run_search)
            results[f"search_files /{regex}/ warm"] = warm_median(change, rounds, run_search)

        fallback = compile_regex(REGEXES[0])
        results[f"search_files /{REGEXES[0]}/ pure-Python fallback"] = timed(
            lambda: search_with_python(root, candidate_files(root, ".", None), fallback)
        )

        tool = ListDefinitions()

        def outline() -> None:
            tool._outline(root, ".")

        results["list_definitions (whole tree) cold"] = timed(outline)
        results["list_definitions (whole tree) warm"] = warm_median(change, rounds, outline)

        shutil.rmtree(map_cache, ignore_errors=True)
        repo_map = RepoMap(root, cache_dir=map_cache)

        def build_map(target: RepoMap = repo_map) -> None:
            target.refresh()
            target.render(MAP_TOKENS)

        def build_and_save() -> None:
            build_map()
            repo_map.save()

        results["repo map cold (incl. writing its cache)"] = timed(build_and_save)
        results["repo map warm"] = warm_median(change, rounds, build_map)
        change.next()
        results["repo map disk warm"] = timed(lambda: build_map(RepoMap(root, cache_dir=map_cache)))
    finally:
        change.restore()
    return results


def aider(root: Path, files: list[str], rounds: int) -> dict[str, float]:
    python = aider_python()
    listing = CACHE / "bench-files.json"
    listing.write_text(json.dumps(files))
    home = CACHE / "aider-home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    proc = subprocess.run(
        [
            str(python),
            str(HERE / "aider_repomap.py"),
            str(root),
            str(listing),
            str(root / CHANGED),
            str(MAP_TOKENS),
            str(rounds),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1) if found else cpu
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {system}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds (one file changed before each)")
    parser.add_argument("--skip-aider", action="store_true", help="only measure Flambeau")
    args = parser.parse_args()

    pristine = django_tree()
    work = CACHE / "work" / pristine.name
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(pristine, work)
    files = source_files(work)
    load_before = os.getloadavg()[0]
    mine = ours(work, args.rounds, CACHE / "work" / "repomap-cache")
    theirs = {} if args.skip_aider else aider(work, files, args.rounds)
    load_after = os.getloadavg()[0]

    print(f"Tree: {pristine.name} sdist, {len(files):,} source files (Python, JS, ...); changed file: {CHANGED}")
    print(f"Machine: {machine()}; load average {load_before:.1f} before, {load_after:.1f} after")
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| measurement | Flambeau | aider RepoMap |")
    print("|---|---:|---:|")
    for name, seconds in mine.items():
        other = ""
        if name.startswith("repo map") and theirs:
            key = "cold" if "cold" in name else "disk_warm" if "disk" in name else "warm"
            other = f"{theirs[key] * 1000:,.0f} ms"
        print(f"| {name} | {seconds * 1000:,.0f} ms | {other} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
