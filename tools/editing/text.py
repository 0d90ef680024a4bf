"""A file's text (line endings unified to LF) as lines: offsets, whitespace-collapsed keys, and excerpts to copy."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field


def collapse(line: str) -> str:
    """The line with each run of whitespace as one space and none at the ends: what tolerant matching compares."""
    return " ".join(line.split())


def leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def split_block(text: str) -> list[str]:
    """A block's lines; a final newline ends the last line rather than starting an empty one."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def trim_blank_edges(lines: list[str]) -> tuple[list[str], int, int]:
    """The lines without blank lines at either end, and how many were taken off the start and the end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], start, len(lines) - end


@dataclass(frozen=True)
class Excerpt:
    """Lines of the file as they are, fenced, so that a model copying them copies exactly the file's text."""

    label: str
    """"line 7" or "lines 6-9"."""
    fenced: str


@dataclass
class FileLines:
    """The LF text split into lines, with start offsets and whitespace-collapsed keys."""

    text: str
    lines: list[str] = field(init=False)
    starts: list[int] = field(init=False)
    keys: list[str] = field(init=False)
    _by_key: dict[str, list[int]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n")
        self.starts = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1
        self.keys = [collapse(line) for line in self.lines]

    @property
    def line_count(self) -> int:
        """Lines a person sees (a final newline does not start another one)."""
        return len(self.lines) - 1 if self.text.endswith("\n") else len(self.lines)

    def line_of(self, offset: int) -> int:
        """1-based line number of an offset."""
        return bisect_left(self.starts, offset + 1)

    def is_line_start(self, offset: int) -> bool:
        return offset == 0 or self.text[offset - 1] == "\n"

    def is_line_end(self, offset: int) -> bool:
        return offset == len(self.text) or self.text[offset] == "\n"

    def by_key(self) -> dict[str, list[int]]:
        if self._by_key is None:
            index: dict[str, list[int]] = {}
            for i, key in enumerate(self.keys):
                index.setdefault(key, []).append(i)
            self._by_key = index
        return self._by_key

    def indent_step(self) -> str:
        """How this file indents one level deeper ("    ", "  ", "\t"): the commonest step between neighbours, or "".

        Steps from an indented line count first: from column 0 a file may step to a base of another kind (a
        tab, then levels of four spaces)."""
        nested: Counter[str] = Counter()
        from_margin: Counter[str] = Counter()
        previous = ""
        for line in self.lines:
            if not line.strip():
                continue
            indent = leading_ws(line)
            if len(indent) > len(previous) and indent.startswith(previous):
                (nested if previous else from_margin)[indent[len(previous) :]] += 1
            previous = indent
        steps = nested or from_margin
        return steps.most_common(1)[0][0] if steps else ""

    def span(self, first: int, count: int) -> tuple[int, int]:
        """Offsets of lines [first, first+count) (0-based), the newline after the last line excluded."""
        last = first + count - 1
        return self.starts[first], self.starts[last] + len(self.lines[last])

    def excerpt(self, first_line: int, last_line: int, context: int = 0) -> Excerpt:
        """Lines first..last (1-based, inclusive) with `context` lines around, fenced and without line numbers."""
        if self.line_count == 0:
            return Excerpt("the file", "(the file is empty)")
        lo = max(1, first_line - context)
        hi = max(lo, min(self.line_count, last_line + context))
        body = self.lines[lo - 1 : hi]
        fence = "```"
        while any(line.lstrip().startswith(fence) for line in body):
            fence += "`"
        label = f"line {lo}" if lo == hi else f"lines {lo}-{hi}"
        return Excerpt(label, "\n".join([fence, *body, fence]))
