"""The workspace jail: every path a tool touches resolves inside the workspace."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from tools.workspace.withhold import Withholding


class PathError(ValueError):
    """A path the model asked for is not allowed; the message says why and what to do."""


ALWAYS_PROTECTED = (".git/", ".git")


@dataclass
class Workspace:
    root: Path
    protected: list[str] = field(default_factory=list)
    """Extra gitignore-style patterns that may be read but never written (e.g. `.env`, `secrets/`)."""
    withhold: Withholding = field(default_factory=Withholding.default)
    """Files no tool opens: key stores always, never-to-cloud and `.env`-style files for a cloud model."""

    def __post_init__(self) -> None:
        self.root = Path(os.path.realpath(self.root))
        self._protected_spec = pathspec.GitIgnoreSpec.from_lines(self.protected)

    def resolve(self, path: str) -> Path:
        """Resolve a model-supplied path (relative to the root, or absolute inside it), symlinks included."""
        if not isinstance(path, str) or path == "":
            raise PathError("empty path: give a path relative to the workspace root, e.g. 'src/main.py'")
        if "\x00" in path:
            raise PathError("path contains a NUL byte: give a plain path relative to the workspace root")
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.root / candidate
        resolved = Path(os.path.realpath(candidate))
        if resolved != self.root and self.root not in resolved.parents:
            raise PathError(
                f"'{path}' resolves to {resolved}, outside the workspace {self.root}; "
                "only files inside the workspace can be used"
            )
        withheld = self.withhold.reason(str(resolved), self.relative(resolved))
        if withheld is not None:
            raise PathError(withheld)
        return resolved

    def relative(self, path: Path) -> str:
        rel = path.relative_to(self.root)
        return "." if str(rel) == "." else rel.as_posix()

    def resolve_for_write(self, path: str) -> Path:
        """Like `resolve`, and refuses `.git/` and the configured protected paths."""
        resolved = self.resolve(path)
        rel = self.relative(resolved)
        parts = PurePosixPath(rel).parts
        if _in_git_dir(parts):
            raise PathError(f"'{path}' is inside a .git directory, which Flambeau never writes")
        if rel != "." and self._protected_spec.match_file(rel):
            raise PathError(f"'{path}' is a protected path in this workspace's policy; it can be read, not written")
        guarded = self.withhold.write_reason(str(resolved), rel)
        if guarded is not None:
            raise PathError(guarded)
        if resolved == self.root:
            raise PathError("the workspace root itself is a directory, not a file to write")
        return resolved

    def is_protected(self, rel: str) -> bool:
        return _in_git_dir(PurePosixPath(rel).parts) or self._protected_spec.match_file(rel)

    def iter_relative(self, paths: Iterable[Path]) -> list[str]:
        return [self.relative(p) for p in paths]


def _in_git_dir(parts: tuple[str, ...]) -> bool:
    """A `.git` component, in any letter case (case-insensitive file systems treat `.GIT` as `.git`)."""
    return any(part.lower() == ".git" for part in parts)
