"""Which workspace files tools skip: `.gitignore` files (nested ones too) and `.flambeauignore`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pathspec

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

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: list[str] = []
        self._spec = pathspec.GitIgnoreSpec.from_lines([])

    def _load_dir(self, rel_dir: str) -> None:
        added = False
        for name in IGNORE_FILES:
            path = self.root / rel_dir / name if rel_dir else self.root / name
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
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
        return self._spec.match_file(rel + "/" if is_dir else rel)

    def walk(self, start_rel: str = "", recursive: bool = True) -> Iterator[tuple[str, bool]]:
        """Yield (workspace-relative path, is_dir) for every non-ignored entry under `start_rel`."""
        # Load ignore files of the ancestors of the start directory first.
        parts = [p for p in start_rel.split("/") if p and p != "."]
        for i in range(len(parts)):
            self._load_dir("/".join(parts[:i]))
        yield from self._walk_dir("/".join(parts), recursive)

    def _walk_dir(self, rel_dir: str, recursive: bool) -> Iterator[tuple[str, bool]]:
        self._load_dir(rel_dir)
        directory = self.root / rel_dir if rel_dir else self.root
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and entry.name in ALWAYS_SKIPPED_DIRS:
                continue
            if self.ignored(rel, is_dir):
                continue
            yield rel, is_dir
            if is_dir and recursive:
                yield from self._walk_dir(rel, recursive)
