"""Where each SEARCH/REPLACE block applies: exact, then whitespace-tolerant, then a unique close match.

All matching happens on the file's text with line endings unified to LF; `splice` maps the results
back onto the original text so that bytes outside the edited regions never change (CRLF, mixed
endings, trailing spaces elsewhere all survive).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz import fuzz, process

FUZZY_THRESHOLD = 90.0
"""Similarity (0-100, on whitespace-collapsed lines) a close match needs to be applied."""
FUZZY_MIN_CHARS = 12
"""Blocks shorter than this (non-blank characters) are never applied by similarity: too easy to misplace."""
ANCHOR_LINES = 8
"""How many distinctive lines of a block are used to find candidate places for a close match."""
ANCHORS_PER_LINE = 20
MAX_REPORTED_PLACES = 100


@dataclass(frozen=True)
class EditBlock:
    search: str
    replace: str


@dataclass(frozen=True)
class Candidate:
    """A region of the file shown to the model when a block did not apply."""

    first_line: int
    last_line: int
    similarity: float


@dataclass(frozen=True)
class Match:
    block: int
    start: int
    end: int
    """Offsets in the LF text (end exclusive)."""
    replacement: str
    """Replacement text with LF line endings."""
    stage: str
    first_line: int
    last_line: int


@dataclass(frozen=True)
class BlockFailure:
    block: int
    reason: str
    candidate: Candidate | None = None


class EditRefused(Exception):
    def __init__(self, failures: list[BlockFailure]) -> None:
        super().__init__("; ".join(f.reason for f in failures))
        self.failures = failures


def _key(line: str) -> str:
    return " ".join(line.split())


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _block_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def _trim_blank_edges(lines: list[str]) -> tuple[list[str], int, int]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], start, len(lines) - end


@dataclass
class FileLines:
    """The LF text split into lines, with start offsets and whitespace-collapsed keys."""

    text: str
    lines: list[str] = field(init=False)
    starts: list[int] = field(init=False)
    keys: list[str] = field(init=False)
    _by_key: dict[str, list[int]] | None = field(init=False, default=None)
    _indent_style: tuple[bool, int | None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n")
        self.starts = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1
        self.keys = [_key(line) for line in self.lines]

    def line_of(self, offset: int) -> int:
        """1-based line number of an offset."""
        return bisect_left(self.starts, offset + 1)

    def by_key(self) -> dict[str, list[int]]:
        if self._by_key is None:
            index: dict[str, list[int]] = {}
            for i, key in enumerate(self.keys):
                index.setdefault(key, []).append(i)
            self._by_key = index
        return self._by_key

    def span(self, first: int, count: int) -> tuple[int, int]:
        """Offsets of lines [first, first+count), newline after the last line excluded."""
        last = first + count - 1
        return self.starts[first], self.starts[last] + len(self.lines[last])

    def indent_style(self) -> tuple[bool, int | None]:
        """(indents with tabs, width of a space indentation step) over the whole file."""
        if self._indent_style is None:
            indents = [_leading_ws(line) for line in self.lines if line.strip()]
            tabs = sum(1 for i in indents if i.startswith("\t"))
            spaces = sum(1 for i in indents if i.startswith(" "))
            self._indent_style = (tabs > spaces, _indent_unit(indents))
        return self._indent_style

    def excerpt(self, first_line: int, last_line: int, context: int = 0) -> str:
        """Numbered lines (1-based, inclusive), with `context` lines around."""
        real_lines = len(self.lines) - 1 if self.text.endswith("\n") else len(self.lines)
        lo = max(1, first_line - context)
        hi = min(max(real_lines, 1), last_line + context)
        width = len(str(hi))
        return "\n".join(f"{n:>{width}} | {self.lines[n - 1]}" for n in range(lo, hi + 1))


class Reindenter:
    """Carries the indentation the file really uses (tabs or spaces, its width) over to replacement lines."""

    def __init__(self, search_lines: list[str], file_lines: list[str], replace_lines: list[str], file: FileLines):
        self.mapping: dict[str, str] = {}
        self.search_base = ""
        self.file_base = ""
        first = True
        for s, f in zip(search_lines, file_lines, strict=True):
            if not s.strip():
                continue
            s_ws, f_ws = _leading_ws(s), _leading_ws(f)
            self.mapping.setdefault(s_ws, f_ws)
            if first:
                self.search_base, self.file_base, first = s_ws, f_ws, False
        self.identity = all(k == v for k, v in self.mapping.items())
        model_indents = [_leading_ws(line) for line in search_lines + replace_lines if line.strip()]
        self.model_unit = _indent_unit(model_indents) or 4
        file_indents = list(self.mapping.values())
        self.file_uses_tabs = any("\t" in i for i in file_indents) or (not any(file_indents) and file.indent_style()[0])
        self.file_unit = _indent_unit(file_indents) or file.indent_style()[1] or self.model_unit

    def line(self, line: str) -> str:
        if self.identity or not line.strip():
            return line
        ws = _leading_ws(line)
        body = line[len(ws) :]
        if ws in self.mapping:
            return self.mapping[ws] + body
        if ws.startswith(self.search_base):
            return self.file_base + self._convert(ws[len(self.search_base) :]) + body
        return line

    def _convert(self, extra: str) -> str:
        if "\t" in extra:
            levels, rest = extra.count("\t"), len(extra.replace("\t", ""))
        else:
            levels, rest = divmod(len(extra), self.model_unit)
        if self.file_uses_tabs:
            return "\t" * levels + " " * rest
        return " " * (levels * self.file_unit + rest)


def _indent_unit(indents: list[str]) -> int | None:
    """The indentation step of space-indented lines (smallest difference between widths), if any."""
    widths = sorted({len(i) for i in indents if i and "\t" not in i})
    steps = [b - a for a, b in pairwise([0, *widths]) if b - a > 0]
    return min(steps) if steps else None


class Matcher:
    """Finds the one place each block applies in a file's LF text."""

    def __init__(self, text: str) -> None:
        self.file = FileLines(text)

    def plan(self, blocks: list[EditBlock]) -> list[Match]:
        """A match per block, ordered by position; raises `EditRefused` naming every block that fails."""
        matches: list[Match] = []
        failures: list[BlockFailure] = []
        for index, block in enumerate(blocks, start=1):
            try:
                matches.append(self.locate(index, block))
            except EditRefused as refused:
                failures.extend(refused.failures)
        if failures:
            raise EditRefused(failures)
        matches.sort(key=lambda m: (m.start, m.end))
        for before, after in pairwise(matches):
            if after.start < before.end:
                raise EditRefused(
                    [
                        BlockFailure(
                            after.block,
                            f"block {before.block} (lines {before.first_line}-{before.last_line}) and block "
                            f"{after.block} (lines {after.first_line}-{after.last_line}) overlap; "
                            "merge them into one block",
                        )
                    ]
                )
        return matches

    def locate(self, index: int, block: EditBlock) -> Match:
        search = block.search.replace("\r\n", "\n")
        replace = block.replace.replace("\r\n", "\n")
        if not search.strip():
            raise EditRefused(
                [
                    BlockFailure(
                        index,
                        f"block {index} has an empty search text; copy the exact lines to change into search "
                        "(to create a file or replace all of it, use write_file)",
                    )
                ]
            )
        if search == replace:
            raise EditRefused([BlockFailure(index, f"block {index}: search and replace are identical; nothing to do")])
        if search.endswith("\n") and replace and not replace.endswith("\n"):
            replace += "\n"
        return (
            self._exact(index, search, replace)
            or self._whitespace_tolerant(index, search, replace)
            or self._fuzzy(index, search, replace)
        )

    # -- stages ---------------------------------------------------------------------------------
    def _exact(self, index: int, search: str, replace: str) -> Match | None:
        text = self.file.text
        positions: list[int] = []
        at = text.find(search)
        while at != -1 and len(positions) <= MAX_REPORTED_PLACES:
            positions.append(at)
            at = text.find(search, at + 1)
        if not positions:
            return None
        if len(positions) > 1:
            places = [(self.file.line_of(p), self.file.line_of(p + len(search) - 1)) for p in positions]
            self._ambiguous(index, places, total=max(len(positions), text.count(search)))
        start = positions[0]
        end = start + len(search)
        return Match(index, start, end, replace, "exact", self.file.line_of(start), self.file.line_of(end - 1))

    def _whitespace_tolerant(self, index: int, search: str, replace: str) -> Match | None:
        search_lines, lead, trail = _trim_blank_edges(_block_lines(search))
        keys = [_key(line) for line in search_lines]
        count = len(keys)
        found = [
            first for first in self.file.by_key().get(keys[0], []) if self.file.keys[first : first + count] == keys
        ]
        if not found:
            return None
        if len(found) > 1:
            self._ambiguous(index, [(f + 1, f + count) for f in found])
        return self._line_match(index, found[0], count, search_lines, (replace, lead, trail), "whitespace-tolerant")

    def _fuzzy(self, index: int, search: str, replace: str) -> Match:
        search_lines, lead, trail = _trim_blank_edges(_block_lines(search))
        scored = self._close_windows(search_lines)
        best = scored[0] if scored else None
        candidate = Candidate(best[1] + 1, best[1] + best[2], round(best[0], 1)) if best else None
        long_enough = len("".join(search.split())) >= FUZZY_MIN_CHARS
        above = [w for w in scored if w[0] >= FUZZY_THRESHOLD and w[2] == len(search_lines)]
        if best is None or not long_enough or not above:
            raise EditRefused([BlockFailure(index, f"block {index}: the search text was not found", candidate)])
        clusters = _clusters([(first, first + size) for _, first, size in above])
        if len(clusters) > 1:
            self._ambiguous(index, [(lo + 1, hi) for lo, hi in clusters], close=True)
        score, first, size = above[0]
        stage = f"close match ({score:.0f}% similar)"
        return self._line_match(index, first, size, search_lines, (replace, lead, trail), stage)

    # -- helpers --------------------------------------------------------------------------------
    def _line_match(
        self,
        index: int,
        first: int,
        count: int,
        search_lines: list[str],
        replace: tuple[str, int, int],
        stage: str,
    ) -> Match:
        """Replace whole lines; `replace` is the text and how many blank lines were trimmed off the search."""
        text, lead, trail = replace
        file_lines = self.file.lines[first : first + count]
        replace_lines = _block_lines(text) if text else []
        while lead and replace_lines and not replace_lines[0].strip():
            replace_lines, lead = replace_lines[1:], lead - 1
        while trail and replace_lines and not replace_lines[-1].strip():
            replace_lines, trail = replace_lines[:-1], trail - 1
        if len(search_lines) == len(file_lines):
            reindent = Reindenter(search_lines, file_lines, replace_lines, self.file)
            replace_lines = [reindent.line(line) for line in replace_lines]
        start, end = self.file.span(first, count)
        replacement = "\n".join(replace_lines)
        if not replace_lines:
            # Deleting whole lines: take one line break with them.
            if end < len(self.file.text):
                end += 1
            elif start > 0:
                start -= 1
        return Match(index, start, end, replacement, stage, first + 1, first + count)

    def _ambiguous(
        self, index: int, places: list[tuple[int, int]], close: bool = False, total: int | None = None
    ) -> None:
        total = total or len(places)
        where = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in places[:10])
        more = f" and {total - 10} more" if total > 10 else ""
        kind = "is close to" if close else "matches"
        raise EditRefused(
            [
                BlockFailure(
                    index,
                    f"block {index}: the search text {kind} {total} places (lines {where}{more}); "
                    "add surrounding lines so it matches exactly one",
                    Candidate(places[0][0], places[0][1], 100.0),
                )
            ]
        )

    def _close_windows(self, search_lines: list[str]) -> list[tuple[float, int, int]]:
        """(similarity, first line index, line count) of windows near the block, best first.

        Windows one line shorter or longer are scored too, to show the model the closest text; only
        windows of the block's own line count are ever applied.
        """
        keys = [_key(line) for line in search_lines]
        target = "\n".join(keys)
        count = len(keys)
        total = len(self.file.keys)
        starts: set[int] = set()
        distinctive = sorted((i for i, k in enumerate(keys) if k), key=lambda i: -len(keys[i]))[:ANCHOR_LINES]
        for i in distinctive:
            for _, _, line_index in process.extract(
                keys[i], self.file.keys, scorer=fuzz.ratio, limit=ANCHORS_PER_LINE, score_cutoff=50
            ):
                for shift in (-1, 0, 1):
                    starts.add(line_index - i + shift)
        scored: list[tuple[float, int, int]] = []
        for first in starts:
            for size in {count - 1, count, count + 1}:
                if size < 1 or first < 0 or first + size > total:
                    continue
                window = "\n".join(self.file.keys[first : first + size])
                scored.append((fuzz.ratio(target, window), first, size))
        scored.sort(key=lambda w: (-w[0], w[1], abs(w[2] - count)))
        return scored


def _clusters(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def splice(raw: str, matches: list[Match], newline: str) -> str:
    """Apply matches (found on `raw` with CRLF unified to LF) to `raw` itself, newest offsets first."""
    crlf_at: list[int] = []
    seen = 0
    at = raw.find("\r\n")
    while at != -1:
        crlf_at.append(at - seen)
        seen += 1
        at = raw.find("\r\n", at + 2)

    def raw_offset(lf_offset: int) -> int:
        return lf_offset + bisect_left(crlf_at, lf_offset)

    result = raw
    for match in sorted(matches, key=lambda m: m.start, reverse=True):
        replacement = match.replacement if newline == "\n" else match.replacement.replace("\n", newline)
        result = result[: raw_offset(match.start)] + replacement + result[raw_offset(match.end) :]
    return result
