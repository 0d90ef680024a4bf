"""Text with its whitespace squeezed out where it cannot separate tokens, and the way back to the original offsets.

`function test() {\\n  return true;\\n}` and `function test(){return true;}` squeeze to the same text: whitespace
between two word characters (or two operator characters, so `- -b` stays apart from `--b`) becomes one space,
any other whitespace goes. A search found this way differs from the file in layout only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

_WHITESPACE = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")
_OPERATORS = frozenset("+-*/%=<>!&|^~.?:@")
MAX_WINDOWS = 64
"""A search whose rarest word occurs more often than this is looked for in the whole squeezed file."""
WINDOW_MARGIN = 1_000


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _separates(before: str, after: str) -> bool:
    """Whether whitespace between these two characters keeps two tokens apart."""
    return (_is_word(before) and _is_word(after)) or (before in _OPERATORS and after in _OPERATORS)


@dataclass
class Squeezed:
    original: str
    text: str = field(init=False)
    _marks: list[int] = field(init=False, default_factory=list)
    """Offsets in `text` from which `_shifts` applies."""
    _shifts: list[int] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        pieces: list[str] = []
        length = 0
        last = 0
        source = self.original
        for run in _WHITESPACE.finditer(source):
            start, end = run.span()
            kept = " " if start > 0 and end < len(source) and _separates(source[start - 1], source[end]) else ""
            pieces.append(source[last:start])
            length += start - last
            pieces.append(kept)
            length += len(kept)
            self._marks.append(length)
            self._shifts.append(end - length)
            last = end
        pieces.append(source[last:])
        self.text = "".join(pieces)

    def to_original(self, offset: int) -> int:
        """The original offset of the squeezed character at `offset`."""
        at = bisect_right(self._marks, offset) - 1
        return offset + (self._shifts[at] if at >= 0 else 0)

    def spans_of(self, search: Squeezed) -> list[tuple[int, int]]:
        """Original [start, end) of each place `search` occurs squeezed, without splitting a token at either end.

        A search that ends with a line break must end where a line of the file ends, and one that starts with
        a line break or indentation must start where a line starts: whole lines never match part of a line.
        """
        needle = search.text
        if not needle:
            return []
        whole_start = search.original[:1].isspace()
        whole_end = search.original.endswith("\n")
        spans: list[tuple[int, int]] = []
        at = self.text.find(needle)
        while at != -1:
            start, end = self.to_original(at), self.to_original(at + len(needle) - 1) + 1
            fits = (not whole_start or self._starts_line(start)) and (not whole_end or self._ends_line(end))
            if fits and not self._splits_token(start, end):
                spans.append((start, end))
            at = self.text.find(needle, at + 1)
        return spans

    def _starts_line(self, start: int) -> bool:
        line_start = self.original.rfind("\n", 0, start) + 1
        return not self.original[line_start:start].strip()

    def _ends_line(self, end: int) -> bool:
        line_end = self.original.find("\n", end)
        return not self.original[end : line_end if line_end != -1 else len(self.original)].strip()

    def _splits_token(self, start: int, end: int) -> bool:
        text = self.original
        glued_before = start > 0 and _separates(text[start - 1], text[start])
        glued_after = end < len(text) and _separates(text[end - 1], text[end])
        return glued_before or glued_after


def insensitive_spans(text: str, search: str, whole: Callable[[], Squeezed]) -> list[tuple[int, int]]:
    """Original [start, end) of each place `search` occurs in `text` up to whitespace between tokens.

    Every word of the search must occur in the text as it is; when its rarest word is rare, only the lines
    around that word's occurrences are squeezed (a whole large file takes a while); `whole` gives the
    squeezed whole text otherwise (cached by the caller).
    """
    words = set(_WORDS.findall(search))
    if any(word not in text for word in words):
        return []
    needle = Squeezed(search)
    rarest = min(words, key=text.count, default=None)
    if rarest is None or text.count(rarest) > MAX_WINDOWS:
        return whole().spans_of(needle)
    spans: set[tuple[int, int]] = set()
    for start, end in _windows(text, rarest, margin=4 * len(search) + WINDOW_MARGIN):
        part = Squeezed(text[start:end])
        spans.update((a + start, b + start) for a, b in part.spans_of(needle))
    return sorted(spans)


def _windows(text: str, word: str, margin: int) -> list[tuple[int, int]]:
    """Whole-line regions reaching `margin` characters either side of each occurrence of `word`, merged."""
    windows: list[tuple[int, int]] = []
    at = text.find(word)
    while at != -1:
        start = text.rfind("\n", 0, max(0, at - margin)) + 1
        newline = text.find("\n", min(len(text), at + len(word) + margin))
        end = len(text) if newline == -1 else newline
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
        at = text.find(word, at + 1)
    return windows
