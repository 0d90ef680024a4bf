"""Where traces live: `<workspace>/.flambeau/traces/<task_id>.jsonl`, blobs in `.flambeau/blobs/`."""

from __future__ import annotations

import re
from pathlib import Path

STATE_DIR = ".flambeau"
TRACES_DIR = "traces"
BLOBS_DIR = "blobs"
TRACE_SUFFIX = ".jsonl"
FORMAT = "flambeau-trace/1"
SAFE_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def state_dir(workspace: Path) -> Path:
    return workspace / STATE_DIR


def traces_dir(workspace: Path) -> Path:
    return state_dir(workspace) / TRACES_DIR


def trace_path(workspace: Path, task_id: str) -> Path:
    if not SAFE_TASK_ID.match(task_id):
        raise ValueError(f"task id {task_id!r} cannot name a trace file (letters, digits, '.', '_' and '-' only)")
    return traces_dir(workspace) / f"{task_id}{TRACE_SUFFIX}"


def blobs_dir_for(trace: Path) -> Path:
    """The blob store that belongs to a trace file (`../blobs` next to its `traces/` folder)."""
    return trace.resolve().parent.parent / BLOBS_DIR


def ensure_state_dir(workspace: Path) -> Path:
    """Create `.flambeau/` with a `.gitignore` of `*`, so git ignores it unless the user decides otherwise."""
    root = state_dir(workspace)
    root.mkdir(parents=True, exist_ok=True)
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Flambeau's traces and blobs stay out of git unless you remove this file.\n*\n")
    return root
