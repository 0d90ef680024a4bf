"""Which workspace files tools skip: `.gitignore` files (nested ones too) and `.flambeauignore`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pathspec

from tools.workspace.special import read_regular
from tools.workspace.withhold import Withholding

IGNORE_FILES = (".gitignore", ".flambeauignore")
ALWAYS_SKIPPED_DIRS = frozenset({".git", ".flambeau", ".hg", ".svn"})


def _rebase(pattern: str, base: str) -> str | None:
    """Turn a pattern from `<base>/.gitignore` into one relative to the workspace root."""
    line = pattern.rstrip("\n")
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    if not base:
        return line
    negate = line.startswith("!")
    body = line[1:] if negate else line
    anchored = "/" in body.rstrip("/")
    body = body.lstrip("/")
    rebased = f"{base}/{body}" if anchored else f"{base}/**/{body}"
    return ("!" if negate else "") + rebased


class IgnoreRules:
    """Gitignore semantics over the whole workspace, loaded lazily per directory while walking."""

    def __init__(self, root: Path, withhold: Withholding | None = None) -> None:
        self.root = root
        self.withhold = withhold
        self.skipped: list[str] = []
        """Entries left out because they are withheld (key stores; never-to-cloud files for a cloud model)."""
        self._root_str = str(root)
        self._lines: list[str] = []
        self._loaded: set[str] = set()
        self._spec = pathspec.GitIgnoreSpec.from_lines([])

    def _load_dir(self, rel_dir: str, present: Iterable[str] = IGNORE_FILES) -> None:
        """Add the patterns of `rel_dir`'s ignore files (those named in `present`), once per directory."""
        if rel_dir in self._loaded:
            return
        self._loaded.add(rel_dir)
        added = False
        for name in IGNORE_FILES:
            if name not in present:
                continue
            path = os.path.join(self._root_str, rel_dir, name)
            try:
                text = read_regular(path).decode("utf-8", errors="replace")
            except OSError:
                continue
            for line in text.splitlines():
                rebased = _rebase(line, rel_dir)
                if rebased is not None:
                    self._lines.append(rebased)
                    added = True
        if added:
            self._spec = pathspec.GitIgnoreSpec.from_lines(self._lines)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        if not self._lines:
            return False
        return self._spec.match_file(rel + "/" if is_dir else rel)

    def walk(self, start_rel: str = "", recursive: bool = True) -> Iterator[tuple[str, bool]]:
        """Yield (workspace-relative path, is_dir) for every non-ignored entry under `start_rel`."""
        # Load ignore files of the ancestors of the start directory first.
        parts = [p for p in start_rel.split("/") if p and p != "."]
        for i in range(len(parts)):
            self._load_dir("/".join(parts[:i]))
        yield from self._walk_dir("/".join(parts), recursive)

    def walk_files(self, start_rel: str = "") -> Iterator[str]:
        """Every non-ignored regular file under `start_rel` (symlinks left out: they may point anywhere)."""
        parts = [p for p in start_rel.split("/") if p and p != "."]
        for i in range(len(parts)):
            self._load_dir("/".join(parts[:i]))
        yield from self._walk_files("/".join(parts))

    def _walk_files(self, rel_dir: str) -> Iterator[str]:
        for rel, kind in self.list_dir(rel_dir):
            if kind == "file":
                yield rel
            elif kind == "dir":
                yield from self._walk_files(rel)

    def list_dir(self, rel_dir: str) -> list[tuple[str, str]]:
        """(path, "dir" | "file" | "link" | "special") of the non-ignored entries of one directory, sorted by
        name; "special" is a FIFO, socket or device, which no tool opens.

        The ignore files of `rel_dir`'s ancestors must already be loaded (as `walk` does).
        """
        directory = os.path.join(self._root_str, rel_dir) if rel_dir else self._root_str
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            return []
        self._load_dir(rel_dir, {e.name for e in entries if e.name in IGNORE_FILES})
        listed: list[tuple[str, str]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and entry.name in ALWAYS_SKIPPED_DIRS:
                continue
            if self.ignored(rel, is_dir):
                continue
            if self.withhold is not None and self.withhold.skips(self._root_str, rel, is_dir):
                self.skipped.append(rel)
                continue
            listed.append((rel, "dir" if is_dir else _kind(entry)))
        return listed

    def _walk_dir(self, rel_dir: str, recursive: bool) -> Iterator[tuple[str, bool]]:
        for rel, kind in self.list_dir(rel_dir):
            yield rel, kind == "dir"
            if kind == "dir" and recursive:
                yield from self._walk_dir(rel, recursive)


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "link"
    return "file" if entry.is_file(follow_symlinks=False) else "special"
