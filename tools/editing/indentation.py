"""Indentation for a block's new lines, taken from the file's matched region: its base and unit, never a guess.

The block's search lines are paired with the file lines they matched. When the file's indentation is the
search's shifted by one prefix ("additive": the model left out or added a base), new lines get the same shift
and keep their relative indent as written. Only when that does not fit and the pairs show two or more levels
in both (say 2 and 4 spaces in the search for 4 and 8 in the file, or spaces for tabs) is the relative indent
converted level by level. When neither fits, a line indented like one of the search's lines gets that line's
indentation in the file, and any other is placed relative to the line it follows or replaces.
"""

from __future__ import annotations

from math import gcd
from typing import Literal

from tools.editing.text import leading_ws

Pair = tuple[str, str]
"""(indentation of a search line, indentation of the file line it matched)."""
Mode = Literal["identity", "additive", "levels", "relative"]


def indent_unit(indents: list[str]) -> int | None:
    """The step of space indentation among `indents` (smallest difference between widths), if any."""
    widths = sorted({len(i) for i in indents if i and "\t" not in i})
    steps = [b - a for a, b in zip([0, *widths], widths, strict=False) if b - a > 0]
    return min(steps) if steps else None


def _kind(ws: str) -> str | None:
    """ "" (none), "tab", "space", or None for a mix."""
    chars = set(ws)
    if not chars:
        return ""
    if chars == {"\t"}:
        return "tab"
    if chars == {" "}:
        return "space"
    return None


def _common_step(values: list[int]) -> int:
    step = 0
    for value in values:
        step = gcd(step, abs(value))
    return step


class Reindent:
    """Maps the indentation of a replacement line, as the model wrote it, to the file's."""

    def __init__(self, pairs: list[Pair], model_unit: int, file_step: str) -> None:
        self.pairs = pairs
        self.model_unit = model_unit
        """Spaces per level in the model's own text, used only to turn its spaces into the file's tabs or back."""
        self.file_step = file_step
        """How the file indents one level deeper, "" when unknown."""
        self.base: Pair = min(pairs, key=lambda p: len(p[0])) if pairs else ("", "")
        self.file_char = " "
        self.file_width = 0
        self.search_step = 0
        self.search_kind = ""
        self.mode: Mode = self._mode()
        self.unambiguous = {s: f for s, f in pairs if all(other_f == f for other_s, other_f in pairs if other_s == s)}

    def line(self, line: str, anchor: Pair | None = None) -> str:
        """`line` with its indentation converted; `anchor` is the pair of the search line it follows or replaces."""
        if not line.strip():
            return line
        ws = leading_ws(line)
        return self.indent(ws, anchor) + line[len(ws) :]

    def indent(self, ws: str, anchor: Pair | None) -> str:
        if self.mode == "identity":
            return ws
        if self.mode == "additive":
            return self._relative(ws, self.base)
        if self.mode == "levels":
            return self._levels(ws)
        if ws in self.unambiguous:
            return self.unambiguous[ws]
        return self._relative(ws, anchor) if anchor is not None else ws

    def _mode(self) -> Mode:
        if all(s == f for s, f in self.pairs):
            return "identity"
        s0, f0 = self.base
        if all(s.startswith(s0) and f == f0 + s[len(s0) :] for s, f in self.pairs):
            return "additive"
        search_kinds = {_kind(s) for s, _ in self.pairs} - {""}
        file_kinds = {_kind(f) for _, f in self.pairs} - {""}
        if len(search_kinds) == 1 and len(file_kinds) == 1 and None not in search_kinds | file_kinds:
            search_steps = [len(s) - len(s0) for s, _ in self.pairs]
            file_steps = [len(f) - len(f0) for _, f in self.pairs]
            s_step, f_step = _common_step(search_steps), _common_step(file_steps)
            levels_agree = (
                s_step
                and f_step
                and all(a * f_step == b * s_step for a, b in zip(search_steps, file_steps, strict=True))
            )
            if levels_agree and len({s for s, _ in self.pairs}) >= 2:
                self.search_step, self.file_width = s_step, f_step
                self.search_kind = next(iter(search_kinds)) or ""
                self.file_char = "\t" if file_kinds == {"tab"} else " "
                return "levels"
        return "relative"

    def _levels(self, ws: str) -> str:
        s0, f0 = self.base
        if _kind(ws) not in ("", self.search_kind):
            return self._relative(ws, self.base)
        width, off_grid = divmod((len(ws) - len(s0)) * self.file_width, self.search_step)
        if off_grid:
            return self._relative(ws, self.base)
        if width >= 0:
            return f0 + self.file_char * width
        return f0[: len(f0) + width] if len(f0) >= -width else ""

    def _relative(self, ws: str, anchor: Pair) -> str:
        sa, fa = anchor
        if ws.startswith(sa):
            return fa + self._convert(ws[len(sa) :], anchor)
        if sa.startswith(ws):
            removed = self._convert(sa[len(ws) :], anchor)
            return fa[: len(fa) - len(removed)] if fa.endswith(removed) else ""
        return ws

    def _convert(self, extra: str, anchor: Pair) -> str:
        """Extra indentation written with the search's characters, written with the file's (tabs stay tabs)."""
        sa, fa = anchor
        extra_kind = _kind(extra)
        file_kind = _kind(self.file_step) or _kind(fa) or extra_kind  # a file that shows none: as written
        if not extra or extra_kind is None or extra_kind == file_kind:
            return extra
        if file_kind == "tab":
            per_tab = len(sa) // len(fa) if _kind(sa) == "space" and fa and len(sa) % len(fa) == 0 else self.model_unit
            tabs, spaces = divmod(len(extra), per_tab)
            return "\t" * tabs + " " * spaces
        if _kind(sa) == "tab" and _kind(fa) == "space":
            per_tab = len(fa) // len(sa)
        else:
            per_tab = len(self.file_step) if _kind(self.file_step) == "space" else self.model_unit
        return " " * (len(extra) * per_tab)
