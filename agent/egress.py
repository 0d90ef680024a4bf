"""What may leave the machine in a request to a cloud model: the second layer.

The first layer is access (tools/workspace/withhold.py): for a cloud model, file tools refuse
never-to-cloud and `.env`-style files and search, diff and outline skip them. `CloudEgressGuard` then
rewrites every tool result before it enters a cloud model's conversation: results about such files
are withheld (the result says so, naming the pattern), as are results that quote such a file's lines
or its whole content in base64 or hex (a `cat` or `base64` through the shell); the sections of a
unified diff about them are cut out; secrets (private keys, cloud credentials, tokens, `.env` values,
stored keys, in plain, base64, hex and URL-encoded forms) are redacted. Local models get results
unchanged.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from tools.workspace.secrets import REDACTED, is_secret_name, redact_text
from tools.workspace.withhold import SECRET_FILES

PATH_ARGUMENTS = ("path", "paths", "file", "files", "target")
ASSIGNMENT = re.compile(r"^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*)(\S.*)$", re.MULTILINE)
DISTINCT_LINE_CHARS = 12
"""Lines of a protected file at least this long (stripped) are looked for in other results."""
MAX_PROTECTED_BYTES = 2_000_000
ENCODED_PREFIX_CHARS = 24
"""A protected file's base64 or hex is recognised by this many leading characters (whitespace removed)."""
PRUNED_DIRS = frozenset({".git", ".flambeau", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
MAX_WALKED_ENTRIES = 200_000
DIFF_SECTION = re.compile(r"^diff --git (?:[a-z]/)?(\S+) (?:[a-z]/)?(\S+)$", re.MULTILINE)
"""A section of a unified diff (git's `a/`, `b/`, `c/`, `i/`, `w/`… prefixes, or none)."""
WITHHELD = "Withheld from the cloud model"
"""How a withheld result begins."""


class CloudEgressGuard:
    def __init__(self, root: Path, never_to_cloud: Iterable[str], secret_values: Iterable[str] = ()) -> None:
        self.root = root
        self.patterns = list(never_to_cloud)
        self._all_patterns = [*self.patterns, *SECRET_FILES]
        self._spec = pathspec.GitIgnoreSpec.from_lines(self._all_patterns)
        self._secrets = {v for v in secret_values if v}
        self._protected_lines: set[str] | None = None
        self._protected_encoded: set[str] = set()

    def __call__(self, tool: str, arguments: dict[str, Any], text: str) -> str:
        for path in _paths_in(arguments):
            pattern = self.protecting_pattern(path)
            if pattern is not None:
                kind = "never-to-cloud" if pattern in self.patterns else ".env-style secret file"
                return _withheld(tool, f"{path} matches the {kind} pattern {pattern!r}")
        text = self._without_protected_diffs(text)
        if self._quotes_protected_file(text):
            return _withheld(tool, "its output contains lines of a file under a never-to-cloud pattern")
        if self._encodes_protected_file(text):
            return _withheld(tool, "its output contains a never-to-cloud file in base64 or hex")
        every_value = any(PurePosixPath(p).name.startswith(".env") for p in _paths_in(arguments))
        return redact_for_cloud(text, self._secrets, every_value=every_value)

    def protecting_pattern(self, path: str) -> str | None:
        relative = self._relative(path)
        if relative is None:
            return None
        for pattern in self._all_patterns:
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

    def contains_protected_line(self, text: str) -> bool:
        """Whether a distinctive line of a protected file appears anywhere in `text`, even inside a longer
        line (what a model writes into a call's arguments need not keep the file's line breaks)."""
        return any(line in text for line in self._lines_of_protected_files())

    def _quotes_protected_file(self, text: str) -> bool:
        lines = self._lines_of_protected_files()
        if not lines:
            return False
        return any(line.strip() in lines for line in text.splitlines() if len(line.strip()) >= DISTINCT_LINE_CHARS)

    def _without_protected_diffs(self, text: str) -> str:
        """A unified diff (`git diff` through the shell, `@git-changes`) without the sections about
        protected files, and a line saying which were cut."""
        if "diff --git " not in text:
            return text
        starts = [m for m in DIFF_SECTION.finditer(text)]
        cut: list[str] = []
        kept = [text[: starts[0].start()]] if starts else [text]
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            names = {match.group(1), match.group(2)}
            if any(self.protecting_pattern(name) is not None for name in names):
                cut.append(match.group(2))
            else:
                kept.append(text[match.start() : end])
        if not cut:
            return text
        return "".join(kept).rstrip("\n") + f"\n[{WITHHELD}: the diff of {', '.join(cut)} (never-to-cloud)]\n"

    def _encodes_protected_file(self, text: str) -> bool:
        self._lines_of_protected_files()
        if not self._protected_encoded:
            return False
        squeezed = "".join(text.split())
        return any(encoded in squeezed for encoded in self._protected_encoded)

    def _lines_of_protected_files(self) -> set[str]:
        if self._protected_lines is None:
            found: set[str] = set()
            for full in _protected_files(self.root, self._spec):
                try:
                    if not full.is_file() or full.stat().st_size > MAX_PROTECTED_BYTES:
                        continue
                    data = full.read_bytes()
                except OSError:
                    continue
                content = data.decode("utf-8", errors="replace")
                found |= {ln.strip() for ln in content.splitlines() if len(ln.strip()) >= DISTINCT_LINE_CHARS}
                if len(data) * 4 // 3 >= ENCODED_PREFIX_CHARS:
                    self._protected_encoded.add(base64.b64encode(data).decode("ascii")[:ENCODED_PREFIX_CHARS])
                if len(data) * 2 >= ENCODED_PREFIX_CHARS:
                    hexed = data.hex()[:ENCODED_PREFIX_CHARS]
                    self._protected_encoded |= {hexed, hexed.upper()}
            self._protected_lines = found
        return self._protected_lines


def _protected_files(root: Path, spec: pathspec.GitIgnoreSpec) -> Iterator[Path]:
    """Files under `root` the spec matches; symbolic links not followed, bulky tool folders pruned."""
    walked = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in PRUNED_DIRS]
        rel_folder = os.path.relpath(folder, root)
        for name in files:
            walked += 1
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            if spec.match_file(rel):
                yield Path(folder, name)
        walked += len(dirs)
        if walked > MAX_WALKED_ENTRIES:
            return


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
