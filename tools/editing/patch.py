"""A block applied as a patch onto the file's own lines: what the block does not change stays as the file has it.

The block's change is the difference between its search lines and its replace lines. Lines the block keeps
are written as the file has them (the model may have misremembered their spacing or even a word); lines it
changes or deletes must read in the file as the search says, otherwise the model's picture of them is stale
and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from tools.editing.indentation import Pair, Reindent, indent_unit
from tools.editing.text import collapse, leading_ws


@dataclass(frozen=True)
class StaleLine:
    """A line the block changes that reads differently in the file."""

    index: int
    """0-based, within the block's search lines."""
    search: str
    current: str


@dataclass(frozen=True)
class Patched:
    lines: list[str]
    kept: list[int]
    """0-based indices of lines the block keeps although the file's text differs from the search's (kept as is)."""


def patch_region(
    search_lines: list[str], file_lines: list[str], replace_lines: list[str], file_step: str
) -> Patched | StaleLine:
    """The file's region with the block's change applied; `search_lines` and `file_lines` pair up one to one.

    `file_step` is how the file indents one level ("" when it never does)."""
    pairs = [
        (leading_ws(s), leading_ws(f)) for s, f in zip(search_lines, file_lines, strict=True) if s.strip() and f.strip()
    ]
    model_unit = indent_unit([leading_ws(line) for line in search_lines + replace_lines if line.strip()]) or 4
    reindent = Reindent(pairs, model_unit, file_step)
    out: list[str] = []
    kept: list[int] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, search_lines, replace_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            kept.extend(i for i in range(i1, i2) if collapse(search_lines[i]) != collapse(file_lines[i]))
            out.extend(file_lines[i1:i2])
            continue
        for i in range(i1, i2):
            if collapse(search_lines[i]) != collapse(file_lines[i]):
                return StaleLine(i, search_lines[i], file_lines[i])
        anchor = _anchor(search_lines, file_lines, i1, i2)
        out.extend(reindent.line(line, anchor) for line in replace_lines[j1:j2])
    return Patched(out, kept)


def _anchor(search_lines: list[str], file_lines: list[str], i1: int, i2: int) -> Pair | None:
    """The indentation pair new lines are placed against: the first line they replace, else the line before."""
    order = [*range(i1, i2), *range(i1 - 1, -1, -1), *range(i2, len(search_lines))]
    for i in order:
        if search_lines[i].strip() and file_lines[i].strip():
            return leading_ws(search_lines[i]), leading_ws(file_lines[i])
    return None
