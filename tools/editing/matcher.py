"""Where each SEARCH/REPLACE block applies: exact, whitespace-tolerant, whitespace-insensitive, then a close match.

All matching happens on the file's text with line endings unified to LF, and every block is matched against
the file as it was before the call (blocks never see each other's changes, so their order does not matter).
A block applies in exactly one place unless it asks for `replace_all`; a line hint chooses among identical
places. Exact matches replace the text as given; the other stages patch the file's own lines (see patch.py).
"""

from __future__ import annotations

import dataclasses
from itertools import pairwise

from tools.editing.blocks import BlockFailure, Candidate, EditBlock, EditRefused, Match, refuse
from tools.editing.line_numbers import strip_line_numbers
from tools.editing.patch import StaleLine, patch_region
from tools.editing.similarity import close_windows, clusters, line_containing
from tools.editing.squeeze import Squeezed, insensitive_spans
from tools.editing.text import FileLines, collapse, leading_ws, split_block, trim_blank_edges

FUZZY_THRESHOLD = 90.0
"""Similarity (0-100, on whitespace-collapsed lines) a close match needs to be applied."""
FUZZY_MIN_CHARS = 12
"""Blocks shorter than this (non-blank characters) are never applied by similarity: too easy to misplace."""
MAX_COUNTED_PLACES = 100
NOT_FOUND = "the search text was not found"


class Matcher:
    """Finds the place(s) each block applies in a file's LF text."""

    def __init__(self, text: str) -> None:
        self.file = FileLines(text)
        self._squeezed: Squeezed | None = None
        self._indent_step: str | None = None

    def plan(self, blocks: list[EditBlock]) -> list[Match]:
        """Every block's matches, ordered by position; raises `EditRefused` naming every block that fails."""
        matches: list[Match] = []
        failures: list[BlockFailure] = []
        for index, block in enumerate(blocks, start=1):
            try:
                matches.extend(self.locate(index, block))
            except EditRefused as refused:
                failures.extend(refused.failures)
        if failures:
            raise EditRefused([self._explain_order(f, blocks, matches) for f in failures])
        matches.sort(key=lambda m: (m.start, m.end, m.block))
        for i in range(1, len(matches)):
            before, after = matches[i - 1], matches[i]
            if _share_a_line_break(before, after):
                matches[i] = dataclasses.replace(after, start=before.end)
        for before, after in pairwise(matches):
            if after.start < before.end:
                where = f"lines {before.first_line}-{before.last_line} and {after.first_line}-{after.last_line}"
                raise EditRefused(
                    [
                        BlockFailure(
                            after.block, f"blocks {before.block} and {after.block} overlap ({where}); merge them"
                        )
                    ]
                )
        return matches

    def locate(self, index: int, block: EditBlock) -> list[Match]:
        search = block.search.replace("\r\n", "\n")
        replace = block.replace.replace("\r\n", "\n")
        if not search.strip():
            return [self._insertion(index, block, replace)]
        if block.position is not None:
            raise refuse(index, "position goes with an empty search only (to insert); remove it, or empty the search")
        hint, required_line = block.line, None
        if search not in self.file.text and (numbered := strip_line_numbers(search)) is not None:
            search, hint = numbered.text, hint or numbered.first
            required_line = numbered.first if numbered.lines == 1 else None
            if (numbered_replace := strip_line_numbers(replace)) is not None:
                replace = numbered_replace.text
        if search == replace:
            raise refuse(index, "search and replace are identical; put the new text in replace")
        if search.endswith("\n") and replace and not replace.endswith("\n"):
            replace += "\n"
        found = (
            self._exact(index, search, replace, block.replace_all, hint)
            or self._tolerant(index, search, replace, block.replace_all, hint)
            or self._insensitive(index, search, replace, block.replace_all, hint)
            or self._close(index, search, replace, block.replace_all, hint)
        )
        if required_line is not None and found[0].first_line != required_line:
            raise refuse(
                index, f"{NOT_FOUND} on line {required_line}, where its line-number prefix puts it", kind="not found"
            )
        return found

    # -- stages ---------------------------------------------------------------------------------
    def _exact(self, index: int, search: str, replace: str, every: bool, hint: int | None) -> list[Match] | None:
        text = self.file.text
        positions: list[int] = []
        at = text.find(search)
        while at != -1 and (every or len(positions) <= MAX_COUNTED_PLACES):
            positions.append(at)
            at = text.find(search, at + (len(search) if every else 1))
        if "\n" in search or "\n" in replace:
            # Lines whose first one lost its indentation are the tolerant stage's: it re-indents the others.
            positions = [p for p in positions if not self._after_indentation(p)]
        if not positions:
            return None
        if not every:
            places = [(self.file.line_of(p), self.file.line_of(p + len(search) - 1)) for p in positions]
            total = len(positions) if len(positions) <= MAX_COUNTED_PLACES else text.count(search)
            positions = [positions[self._one(index, places, hint, total=total)]]
        matches: list[Match] = []
        for start in positions:
            match = self._exact_match(index, start, search, replace)
            if matches and match.start < matches[-1].end:
                match = Match(index, matches[-1].end, match.end, "", match.stage, match.first_line, match.last_line)
            matches.append(match)
        return matches

    def _tolerant(self, index: int, search: str, replace: str, every: bool, hint: int | None) -> list[Match] | None:
        search_lines, lead, trail = trim_blank_edges(split_block(search))
        keys = [collapse(line) for line in search_lines]
        count = len(keys)
        found = [f for f in self.file.by_key().get(keys[0], []) if self.file.keys[f : f + count] == keys]
        if not found:
            return None
        if every:
            chosen = [found[0]]
            chosen.extend(f for f in found[1:] if f >= chosen[-1] + count)
        else:
            chosen = [found[self._one(index, [(f + 1, f + count) for f in found], hint)]]
        edit = (replace, lead, trail)
        return [self._line_match(index, f, search_lines, edit, "whitespace-tolerant") for f in chosen]

    def _insensitive(self, index: int, search: str, replace: str, every: bool, hint: int | None) -> list[Match] | None:
        spans = insensitive_spans(self.file.text, search, self._squeezed_file)
        if not spans:
            return None
        if not every:
            places = [(self.file.line_of(a), self.file.line_of(b - 1)) for a, b in spans]
            spans = [spans[self._one(index, places, hint)]]
        return [self._span_match(index, start, end, search, replace) for start, end in spans]

    def _close(self, index: int, search: str, replace: str, every: bool, hint: int | None) -> list[Match]:
        search_lines, lead, trail = trim_blank_edges(split_block(search))
        scored = close_windows(self.file, search_lines)
        best = scored[0] if scored else None
        candidate = Candidate(best.first + 1, best.first + best.size, round(best.similarity, 1)) if best else None
        if candidate is None or candidate.similarity < FUZZY_THRESHOLD:
            partial = line_containing(self.file, search_lines)
            if partial is not None and (candidate is None or partial.similarity > candidate.similarity):
                candidate = Candidate(
                    partial.first + 1, partial.first + 1, partial.similarity, "the line that contains most of it"
                )
        long_enough = len("".join(search.split())) >= FUZZY_MIN_CHARS
        above = [w for w in scored if w.similarity >= FUZZY_THRESHOLD and w.size == len(search_lines)]
        if not above or not long_enough or every:
            reason = NOT_FOUND + (
                " exactly (replace_all changes exact or whitespace-tolerant matches only)" if every and above else ""
            )
            raise refuse(index, reason, candidate, "not found")
        groups = clusters([(w.first, w.first + w.size) for w in above])
        if len(groups) > 1:
            chosen = groups[self._one(index, [(lo + 1, hi) for lo, hi in groups], hint, close=True)]
            above = [w for w in above if chosen[0] <= w.first < chosen[1]]
        window = above[0]
        stage = f"close match ({window.similarity:.0f}% similar)"
        return [self._line_match(index, window.first, search_lines, (replace, lead, trail), stage)]

    # -- building matches -----------------------------------------------------------------------
    def _insertion(self, index: int, block: EditBlock, replace: str) -> Match:
        text = self.file.text
        position = block.position or ("start" if not text else None)
        if position is None:
            raise refuse(
                index,
                'the search text is empty; to insert, set position to "start" or "end"; to change text, copy it '
                "into search (write_file replaces a whole file)",
            )
        if not replace:
            raise refuse(index, "search and replace are both empty; nothing to insert")
        if position == "start":
            replacement = replace if not text or replace.endswith("\n") else replace + "\n"
            return Match(index, 0, 0, replacement, "inserted at the start", 1, 1)
        replacement = replace if not text or text.endswith("\n") else "\n" + replace
        last = max(self.file.line_count, 1)
        return Match(index, len(text), len(text), replacement, "inserted at the end", last, last)

    def _exact_match(self, index: int, start: int, search: str, replace: str) -> Match:
        end = start + len(search)
        ends_line = self.file.is_line_end(end) and not search.endswith("\n")
        if ends_line and end < len(self.file.text) and replace.endswith("\n") and replace.strip():
            replace = replace[:-1]  # the file's own line break follows; the replacement's would add a line
        if not replace and not search.endswith("\n") and self.file.is_line_start(start):
            newline = self.file.text.find("\n", end)
            line_end = len(self.file.text) if newline == -1 else newline
            if not self.file.text[end:line_end].strip():  # the whole line goes, trailing spaces included
                start, end = self._take_line_break(start, line_end)
        return Match(
            index, start, end, replace, "exact", self.file.line_of(start), self.file.line_of(max(start, end - 1))
        )

    def _span_match(self, index: int, start: int, end: int, search: str, replace: str) -> Match:
        """A whitespace-insensitive match: the span runs from the search's first token to its last."""
        line_start = self.file.starts[self.file.line_of(start) - 1]
        before_span = self.file.text[line_start:start]
        file_indent = before_span if not before_span.strip() else leading_ws(before_span)
        search_indent = leading_ws(search.lstrip("\n"))
        lines = split_block(replace.strip("\n")) if replace.strip() else []
        placed = [
            file_indent + line[len(search_indent) :] if line.startswith(search_indent) else line for line in lines
        ]
        if placed:
            first_line = lines[0]
            placed[0] = (
                first_line[len(search_indent) :] if first_line.startswith(search_indent) else first_line.lstrip()
            )
        elif self.file.is_line_end(end) and not before_span.strip():
            start, end = self._take_line_break(line_start, end)
        first, last = self.file.line_of(start), self.file.line_of(max(start, end - 1))
        return Match(index, start, end, "\n".join(placed), "whitespace-insensitive", first, last)

    def _line_match(
        self, index: int, first: int, search_lines: list[str], edit: tuple[str, int, int], stage: str
    ) -> Match:
        """Replace whole lines; `edit` is the replacement and how many blank lines were trimmed off the search."""
        text, lead, trail = edit
        count = len(search_lines)
        file_lines = self.file.lines[first : first + count]
        replace_lines = split_block(text) if text else []
        while lead and replace_lines and not replace_lines[0].strip():
            replace_lines, lead = replace_lines[1:], lead - 1
        while trail and replace_lines and not replace_lines[-1].strip():
            replace_lines, trail = replace_lines[:-1], trail - 1
        if self._indent_step is None:
            self._indent_step = self.file.indent_step()
        patched = patch_region(search_lines, file_lines, replace_lines, self._indent_step)
        if isinstance(patched, StaleLine):
            raise self._stale(index, first, count, patched, stage)
        if stage.startswith("close") and patched.kept:
            kept = ", ".join(str(first + 1 + i) for i in patched.kept)
            stage = f"{stage[:-1]}; kept line {kept} as the file has it, where your search differs)"
        start, end = self.file.span(first, count)
        if not patched.lines:
            start, end = self._take_line_break(start, end)
        return Match(index, start, end, "\n".join(patched.lines), stage, first + 1, first + count)

    def _after_indentation(self, offset: int) -> bool:
        """Whether `offset` is inside a line's indentation or just after it (not at the line's start)."""
        line_start = self.file.starts[self.file.line_of(offset) - 1]
        return line_start < offset and not self.file.text[line_start:offset].strip()

    def _squeezed_file(self) -> Squeezed:
        if self._squeezed is None:
            self._squeezed = Squeezed(self.file.text)
        return self._squeezed

    def _take_line_break(self, start: int, end: int) -> tuple[int, int]:
        """Deleting whole lines: take one line break with them (the one after, or before the file's last line)."""
        if end < len(self.file.text):
            return start, end + 1
        return (start - 1, end) if start > 0 else (start, end)

    # -- choosing and refusing ------------------------------------------------------------------
    def _one(
        self, index: int, places: list[tuple[int, int]], hint: int | None, close: bool = False, total: int | None = None
    ) -> int:
        """Which of `places` (1-based first and last lines) the block means: the only one, or the nearest to `hint`."""
        if len(places) == 1:
            return 0
        if hint is not None:
            nearest = sorted((abs(first - hint), i) for i, (first, _) in enumerate(places))
            if nearest[0][0] < nearest[1][0]:
                return nearest[0][1]
            tie = " and ".join(str(places[i][0]) for _, i in nearest[:2])
            raise refuse(
                index, f"lines {tie} match and are equally near line {hint}; give the line the search starts on"
            )
        total = total or len(places)
        distinct = list(dict.fromkeys(places))
        where = ", ".join(_place(p, places.count(p)) for p in distinct[:10])
        more = f" and {len(distinct) - 10} more" if len(distinct) > 10 else ""
        kind = "is close to" if close else "matches"
        every = "" if close else ", or set replace_all to change every one"
        raise refuse(
            index,
            f"the search text {kind} {total} places (lines {where}{more}); add surrounding lines so it matches one, "
            f"give line (where it starts) to choose one{every}",
            Candidate(places[0][0], places[0][1], 100.0),
            "ambiguous",
        )

    def _stale(self, index: int, first: int, count: int, stale: StaleLine, stage: str) -> EditRefused:
        line = first + 1 + stale.index
        similar = stage.removeprefix("close match (").removesuffix(")")
        return refuse(
            index,
            f"the closest text (lines {first + 1}-{first + count}, {similar}) differs on line {line}, which the block "
            f"changes: the search has {stale.search.strip()!r}, the file has {stale.current.strip()!r}. Write the "
            "block again against the current lines",
            Candidate(first + 1, first + count, 100.0, "current text"),
            "stale",
        )

    def _explain_order(self, failure: BlockFailure, blocks: list[EditBlock], matches: list[Match]) -> BlockFailure:
        """A block not found because it searches for what another block writes: say that blocks see the original."""
        if failure.kind != "not found" or not matches:
            return failure
        search = blocks[failure.block - 1].search.replace("\r\n", "\n").strip()
        writers = [m.block for m in matches if search and search in m.replacement]
        if not writers:
            return failure
        return BlockFailure(
            failure.block,
            f"block {failure.block}: the search text is not in the file; block {writers[0]} writes it. Every block "
            "is matched against the file as it was before this call, not against what other blocks write: "
            "merge the two blocks into one",
        )


def _place(lines: tuple[int, int], times: int) -> str:
    first, last = lines
    where = f"{first}-{last}" if first != last else str(first)
    return f"{where} ({times} times)" if times > 1 else where


def _share_a_line_break(before: Match, after: Match) -> bool:
    """Two whole-line deletions that each took the line break between them (the second ends the file)."""
    return not before.replacement and not after.replacement and after.start == before.end - 1
