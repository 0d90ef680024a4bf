"""What may leave the machine in a request to a cloud model.

`CloudEgressGuard` rewrites every tool result before it enters a cloud model's conversation:
results about files under a never-to-cloud glob are withheld (the result says so, naming the
pattern), as are results that quote such a file's lines (a `cat` through the shell); secrets
(private keys, cloud credentials, tokens, `.env` values, stored keys) are redacted. Local models
get results unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from tools.workspace.secrets import REDACTED, is_secret_name, redact_text

PATH_ARGUMENTS = ("path", "paths", "file", "files", "target")
ASSIGNMENT = re.compile(r"^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*)(\S.*)$", re.MULTILINE)
DISTINCT_LINE_CHARS = 12
"""Lines of a protected file at least this long (stripped) are looked for in other results."""
MAX_PROTECTED_BYTES = 2_000_000
WITHHELD = "Withheld from the cloud model"
"""How a withheld result begins."""


class CloudEgressGuard:
    def __init__(self, root: Path, never_to_cloud: Iterable[str], secret_values: Iterable[str] = ()) -> None:
        self.root = root
        self.patterns = list(never_to_cloud)
        self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        self._secrets = {v for v in secret_values if v}
        self._protected_lines: set[str] | None = None

    def __call__(self, tool: str, arguments: dict[str, Any], text: str) -> str:
        for path in _paths_in(arguments):
            pattern = self.protecting_pattern(path)
            if pattern is not None:
                return _withheld(tool, f"{path} matches the never-to-cloud pattern {pattern!r}")
        if self._quotes_protected_file(text):
            return _withheld(tool, "its output contains lines of a file under a never-to-cloud pattern")
        every_value = any(PurePosixPath(p).name.startswith(".env") for p in _paths_in(arguments))
        return redact_for_cloud(text, self._secrets, every_value=every_value)

    def protecting_pattern(self, path: str) -> str | None:
        relative = self._relative(path)
        if relative is None:
            return None
        for pattern in self.patterns:
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
            if spec.match_file(relative) or spec.match_file(relative.rstrip("/") + "/"):
                return pattern
        return None

    def _relative(self, path: str) -> str | None:
        candidate = Path(path)
        if candidate.is_absolute():
            try:
                candidate = candidate.resolve().relative_to(self.root.resolve())
            except (ValueError, OSError):
                return None
        text = PurePosixPath(*candidate.parts).as_posix() if candidate.parts else "."
        return text.removeprefix("./")

    def _quotes_protected_file(self, text: str) -> bool:
        lines = self._lines_of_protected_files()
        if not lines:
            return False
        return any(line.strip() in lines for line in text.splitlines() if len(line.strip()) >= DISTINCT_LINE_CHARS)

    def _lines_of_protected_files(self) -> set[str]:
        if self._protected_lines is None:
            found: set[str] = set()
            if self.patterns:
                for path in self._spec.match_tree_files(str(self.root)):
                    full = self.root / path
                    try:
                        if full.stat().st_size > MAX_PROTECTED_BYTES:
                            continue
                        content = full.read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        continue
                    found |= {ln.strip() for ln in content.splitlines() if len(ln.strip()) >= DISTINCT_LINE_CHARS}
            self._protected_lines = found
        return self._protected_lines


def redact_for_cloud(text: str, secret_values: Iterable[str] = (), *, every_value: bool = False) -> str:
    """Known secret values, token shapes, and values assigned to secret-looking names; with
    `every_value` (a `.env` file) every `NAME=value` loses its value."""

    def assignment(match: re.Match[str]) -> str:
        prefix, name, sep, _value = match.groups()
        return f"{prefix}{name}{sep}{REDACTED}" if every_value or is_secret_name(name) else match.group(0)

    return ASSIGNMENT.sub(assignment, redact_text(text, secret_values))


def _paths_in(arguments: dict[str, Any]) -> list[str]:
    paths: list[str] = []
    for key in PATH_ARGUMENTS:
        value = arguments.get(key)
        if isinstance(value, str):
            paths.append(value)
        elif isinstance(value, list):
            paths += [v for v in value if isinstance(v, str)]
    return paths


def _withheld(tool: str, why: str) -> str:
    return (
        f"{WITHHELD}: the result of {tool} is not sent because {why}. "
        "Files under never-to-cloud patterns stay on this machine; use a local profile to work with them."
    )
