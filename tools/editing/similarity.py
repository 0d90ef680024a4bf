"""Regions of a file close to a block's search text (rapidfuzz): for close matches and for the candidates shown."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tools.editing.text import FileLines, collapse

ANCHOR_LINES = 8
"""How many distinctive lines of a block are used to find candidate places for a close match."""
ANCHORS_PER_LINE = 20
PARTIAL_MIN_SIMILARITY = 80.0
"""How similar a line must be to a one-line search it contains (or nearly) to be shown as a candidate."""


@dataclass(frozen=True)
class Window:
    similarity: float
    first: int
    """0-based index of the window's first line."""
    size: int


def close_windows(file: FileLines, search_lines: list[str]) -> list[Window]:
    """Windows of the file near the block's lines, best first.

    Windows one line shorter or longer are scored too, to show the model the closest text; only windows of
    the block's own line count are ever applied.
    """
    keys = [collapse(line) for line in search_lines]
    target = "\n".join(keys)
    count = len(keys)
    total = len(file.keys)
    starts: set[int] = set()
    distinctive = sorted((i for i, k in enumerate(keys) if k), key=lambda i: -len(keys[i]))[:ANCHOR_LINES]
    for i in distinctive:
        for _, _, line_index in process.extract(
            keys[i], file.keys, scorer=fuzz.ratio, limit=ANCHORS_PER_LINE, score_cutoff=50
        ):
            for shift in (-1, 0, 1):
                starts.add(line_index - i + shift)
    scored: list[Window] = []
    for first in starts:
        for size in {count - 1, count, count + 1}:
            if size < 1 or first < 0 or first + size > total:
                continue
            window = "\n".join(file.keys[first : first + size])
            scored.append(Window(fuzz.ratio(target, window), first, size))
    scored.sort(key=lambda w: (-w.similarity, w.first, abs(w.size - count)))
    return scored


def line_containing(file: FileLines, search_lines: list[str]) -> Window | None:
    """For a one-line search: the line that holds it, or nearly (a search that is part of a longer line)."""
    if len(search_lines) != 1:
        return None
    key = collapse(search_lines[0])
    found = process.extractOne(key, file.keys, scorer=fuzz.partial_ratio, score_cutoff=PARTIAL_MIN_SIMILARITY)
    if found is None:
        return None
    _, score, index = found
    return Window(score, index, 1)


def clusters(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping [lo, hi) ranges merged."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
