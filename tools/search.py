"""search_files: a regular expression over the workspace's files, line by line, honouring ignore files.

The files to search are always chosen here (`.gitignore`, nested ones, `.flambeauignore`, the glob);
ripgrep, when installed, only does the matching, so both back ends see the same files and give the
same lines. Binary files (a NUL in the first 8 KB) are skipped by both.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pathspec
from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult
from tools.workspace.ignore import IgnoreRules
from tools.workspace.special import read_regular, refuse_special
from tools.workspace.textcodec import BINARY_SNIFF_BYTES, decode, is_binary
from tools.workspace.withhold import Withholding, skipped_note

MAX_SHOWN_MATCHES = 100
MAX_KEPT_MATCHES = 10_000
MAX_LINE_CHARS = 300
RG_ARGV_BYTES = 500_000
"""File names per ripgrep call stay well under the kernel's argument limit (2 MB with the environment)."""


@dataclass(frozen=True)
class LineMatch:
    path: str
    line: int
    text: str


@dataclass
class SearchOutcome:
    matches: list[LineMatch] = field(default_factory=list)
    total: int = 0
    files_searched: int = 0
    backend: str = "python"
    skipped: list[str] = field(default_factory=list)
    """Withheld files left out (key stores; never-to-cloud and .env-style files for a cloud model)."""


class SearchFilesArgs(ToolArgs):
    path: str = Field(default=".", description="Directory or file to search, relative to the workspace root.")
    regex: str = Field(description="Regular expression, matched against each line.")
    glob: str | None = Field(default=None, description="Only files matching this glob, e.g. '*.py' or 'src/**/*.ts'.")


class SearchFiles(Tool[SearchFilesArgs]):
    name: ClassVar[str] = "search_files"
    category: ClassVar[Category] = Category.READ
    description: ClassVar[str] = "Search file contents with a regex; returns path:line: text. Honours ignore files."
    args_model = SearchFilesArgs

    def summary(self, args: SearchFilesArgs) -> str:
        return f"search /{args.regex}/ in {args.path}" + (f" ({args.glob})" if args.glob else "")

    async def run(self, args: SearchFilesArgs, ctx: ToolContext) -> ToolResult:
        pattern = compile_regex(args.regex)
        target = ctx.workspace.resolve(args.path)
        rel = ctx.workspace.relative(target)
        if not target.exists():
            raise ToolError(f"{args.path} does not exist; use list_files to find the right path")
        refuse_special(target, rel)
        root = ctx.workspace.root
        outcome = await asyncio.to_thread(search, root, rel, args.regex, pattern, args.glob, ctx.workspace.withhold)
        return ToolResult(ok=True, output=render(outcome, args.regex, rel), data=_data(outcome))


def compile_regex(regex: str) -> re.Pattern[str]:
    if not regex:
        raise ToolError("the regex is empty; give a pattern such as 'def main' or 'TODO|FIXME'")
    try:
        return re.compile(regex)
    except re.error as error:
        raise ToolError(f"invalid regular expression {regex!r}: {error}") from error


def search(
    root: Path, rel: str, regex: str, pattern: re.Pattern[str], glob: str | None, withhold: Withholding | None = None
) -> SearchOutcome:
    """Search with ripgrep when it is installed and understands the regex, else in Python."""
    skipped: list[str] = []
    files = candidate_files(root, rel, glob, withhold, skipped)
    outcome = search_with_ripgrep(root, files, regex) if shutil.which("rg") is not None else None
    if outcome is None:
        outcome = search_with_python(root, files, pattern)
    outcome.skipped = skipped
    return outcome


def candidate_files(
    root: Path, rel: str, glob: str | None, withhold: Withholding | None = None, skipped: list[str] | None = None
) -> list[str]:
    """Workspace-relative files under `rel` (or `rel` itself) that no ignore file excludes, in walk order;
    withheld ones are left out (and named in `skipped`)."""
    if (root / rel).is_file():
        return [rel]
    spec = glob_spec(glob)
    rules = IgnoreRules(root, withhold)
    files = [path for path in rules.walk_files("" if rel == "." else rel) if spec is None or spec.match_file(path)]
    if skipped is not None:
        skipped += rules.skipped
    return files


def glob_spec(glob: str | None) -> pathspec.GitIgnoreSpec | None:
    """Gitignore-style globs; commas separate several, one level of braces expands ('*.{ts,tsx}')."""
    if not glob or not glob.strip():
        return None
    parts = re.split(r",(?![^{]*\})", glob)
    patterns = [p for part in parts for p in _expand_braces(part.strip()) if p]
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _expand_braces(pattern: str) -> list[str]:
    found = re.search(r"\{([^{}]*)\}", pattern)
    if found is None:
        return [pattern]
    head, tail = pattern[: found.start()], pattern[found.end() :]
    return [expanded for option in found.group(1).split(",") for expanded in _expand_braces(head + option + tail)]


def _clip(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + " [...]"


def _keep(outcome: SearchOutcome, match: LineMatch) -> None:
    outcome.total += 1
    if len(outcome.matches) < MAX_KEPT_MATCHES:
        outcome.matches.append(match)


# --- pure Python ------------------------------------------------------------------------------------
def search_with_python(root: Path, files: list[str], pattern: re.Pattern[str]) -> SearchOutcome:
    outcome = SearchOutcome(files_searched=len(files), backend="python")
    whole_file = _whole_file_filter(pattern)
    for rel in files:
        try:
            data = read_regular(root / rel)
        except OSError:
            continue
        if is_binary(data):
            continue
        text = decode(data).text.replace("\r\n", "\n")
        if whole_file is not None and whole_file.search(text) is None:
            continue
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            if pattern.search(line) is not None:
                _keep(outcome, LineMatch(rel, number, _clip(line)))
    return outcome


def _whole_file_filter(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The same regex over a whole file (^ and $ per line), to skip files quickly; None when unsafe."""
    if re.search(r"\\[AZz]", pattern.pattern):
        return None
    return re.compile(pattern.pattern, pattern.flags | re.MULTILINE)


# --- ripgrep --------------------------------------------------------------------------------------
def search_with_ripgrep(root: Path, files: list[str], regex: str) -> SearchOutcome | None:
    """ripgrep over exactly `files`; None when ripgrep cannot run this regex (the caller falls back)."""
    order = {rel: i for i, rel in enumerate(files)}
    found: list[LineMatch] = []
    for chunk in _chunks(files):
        lines = _run_ripgrep(root, chunk, regex)
        if lines is None:
            return None
        found.extend(_parse_ripgrep(lines))
    binary = {rel for rel in {m.path for m in found} if _starts_binary(root / rel)}
    outcome = SearchOutcome(files_searched=len(files), backend="ripgrep")
    for match in sorted(found, key=lambda m: (order.get(m.path, len(order)), m.line)):
        if match.path not in binary:
            _keep(outcome, match)
    return outcome


def _chunks(files: list[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for rel in files:
        if chunk and size + len(rel) + 1 > RG_ARGV_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(rel)
        size += len(rel) + 1
    if chunk:
        yield chunk


def _run_ripgrep(root: Path, files: list[str], regex: str) -> list[bytes] | None:
    command = ["rg", "--json", "--text", "--crlf", "--no-config", "--no-messages", "-e", regex, "--", *files]
    proc = subprocess.run(command, cwd=root, capture_output=True, check=False)
    if proc.returncode == 2 and not proc.stdout:
        return None
    return proc.stdout.splitlines()


def _parse_ripgrep(lines: Iterable[bytes]) -> Iterator[LineMatch]:
    for raw in lines:
        if not raw.startswith(b'{"type":"match"'):
            continue
        message: dict[str, Any] = json.loads(raw)["data"]
        path = _rg_text(message["path"])
        yield LineMatch(path, int(message["line_number"]), _clip(_rg_text(message["lines"])))


def _rg_text(value: dict[str, str]) -> str:
    if "text" in value:
        return value["text"]
    return decode(base64.b64decode(value["bytes"])).text


def _starts_binary(path: Path) -> bool:
    try:
        return is_binary(read_regular(path, BINARY_SNIFF_BYTES))
    except OSError:
        return True


# --- output -----------------------------------------------------------------------------------------
def render(outcome: SearchOutcome, regex: str, rel: str) -> str:
    note = skipped_note(outcome.skipped)
    if not outcome.total:
        found = f"no matches for /{regex}/ in {rel} ({outcome.files_searched:,} files searched)"
        return f"{found}\n{note}" if note else found
    shown = outcome.matches[:MAX_SHOWN_MATCHES]
    lines = [f"{m.path}:{m.line}: {m.text}" for m in shown]
    files = len({m.path for m in outcome.matches})
    left = outcome.total - len(shown)
    if left:
        more_files = "+" if outcome.total > len(outcome.matches) else ""
        lines.append(
            f"[{left:,} more matches not shown ({outcome.total:,} in {files:,}{more_files} files); "
            "narrow the regex, the path or the glob]"
        )
    if note:
        lines.append(note)
    return "\n".join(lines)


def _data(outcome: SearchOutcome) -> dict[str, Any]:
    return {
        "matches": outcome.total,
        "shown": min(outcome.total, MAX_SHOWN_MATCHES),
        "files_searched": outcome.files_searched,
        "backend": outcome.backend,
    }
