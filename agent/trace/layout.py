"""Where traces live: `<workspace>/.flambeau/traces/<task_id>.jsonl`, blobs in `.flambeau/blobs/`."""

from __future__ import annotations

import re
from pathlib import Path

from agent.errors import ConfigError

STATE_DIR = ".flambeau"
TRACES_DIR = "traces"
BLOBS_DIR = "blobs"
TRACE_SUFFIX = ".jsonl"
FORMAT = "flambeau-trace/2"
"""Checkpoints are C2SP signed notes (agent/trace/note.py)."""
FORMAT_V1 = "flambeau-trace/1"
"""Checkpoints signed as canonical JSON (`checkpoint_message`); still verified."""
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


GITIGNORE = (
    "# Flambeau's traces and blobs stay out of git unless you remove this file.\n"
    "*\n"
    "# A workspace's model policy (see agent/models/config.py) is meant to be shared.\n"
    "!models.toml\n"
)


class UnsafeStateDir(ConfigError):
    """`.flambeau/` (or a folder in it) is a symbolic link or not a folder; the message names it."""
