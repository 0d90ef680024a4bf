"""Writing a checkpoint back into the workspace: byte-exact files, executable bits and symlinks, never through
a path or link that leaves the workspace or enters `.git` or `.flambeau`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tools.workspace.fileio import atomic_write

OFF_LIMITS = frozenset({".git", ".flambeau"})
"""Folders a restore never writes into, at any depth (the user's repository, Flambeau's traces)."""


class CheckpointError(RuntimeError):
    """A checkpoint could not be taken or restored; the message says why and what to do."""


@dataclass(frozen=True)
class TreeChange:
    path: str
    new_mode: str
    new_sha: str | None
    """None: the file is not in the target checkpoint."""


def parse_diff_tree(raw: str) -> list[TreeChange]:
    """`git diff-tree -r -z` output as changes from the current tree to the target."""
    fields = raw.split("\0")
    changes: list[TreeChange] = []
    index = 0
    while index + 1 < len(fields):
        header, path = fields[index], fields[index + 1]
        index += 2
        if not header.startswith(":"):
            continue
        _old_mode, new_mode, _old_sha, new_sha, status = header[1:].split(" ")
        changes.append(TreeChange(path, new_mode, None if status == "D" else new_sha))
    return changes


def apply_changes(
    workspace: Path, changes: list[TreeChange], keep: set[str], read_blobs: Callable[[list[str]], dict[str, bytes]]
) -> tuple[list[str], list[str], list[str]]:
    """Delete what the target lacks (except `keep`), write what differs; (written, deleted, failed)."""
    written: list[str] = []
    deleted: list[str] = []
    failed: list[str] = []
    for change in changes:
        if change.new_sha is None and change.path not in keep:
            try:
                path = safe_path(workspace, change.path)
                path.unlink(missing_ok=True)
                deleted.append(change.path)
                _prune_empty_parents(path.parent, workspace)
            except (OSError, CheckpointError) as error:
                failed.append(f"{change.path}: {error}")
    to_write = [c for c in changes if c.new_sha is not None and c.new_mode != "160000"]
    blobs = read_blobs([c.new_sha for c in to_write if c.new_sha])
    for change in to_write:
        assert change.new_sha is not None
        try:
            write_back(workspace, change.path, change.new_mode, blobs[change.new_sha])
            written.append(change.path)
        except (OSError, CheckpointError) as error:
            failed.append(f"{change.path}: {error}")
    return written, deleted, failed


def write_back(workspace: Path, rel: str, mode: str, data: bytes) -> None:
    path = safe_path(workspace, rel)
    if path.is_symlink() or (mode == "120000" and path.exists()):
        path.unlink()
    elif path.is_dir():
        raise CheckpointError("a folder is in the way; move it and restore again")
    if mode == "120000":
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.fsdecode(data), path)
        return
    atomic_write(path, data)
    current = path.stat().st_mode
    executable = current | 0o111 & ~_umask_bits() if mode == "100755" else current & ~0o111
    os.chmod(path, executable & 0o7777)


def safe_path(workspace: Path, rel: str) -> Path:
    parts = Path(rel).parts
    if Path(rel).is_absolute() or ".." in parts or not parts or any(p.lower() in OFF_LIMITS for p in parts):
        raise CheckpointError(f"refusing the path {rel!r}")
    path = workspace / rel
    parent = Path(os.path.realpath(path.parent))
    if parent != workspace and workspace not in parent.parents:
        raise CheckpointError(f"{rel!r} would be written through a link that leaves the workspace")
    if any(p.lower() in OFF_LIMITS for p in parent.relative_to(workspace).parts):
        raise CheckpointError(f"{rel!r} would be written through a link into .git or .flambeau")
    return path


def _umask_bits() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _prune_empty_parents(directory: Path, root: Path) -> None:
    while directory != root and root in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent
