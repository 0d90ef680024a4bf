"""Matches found on the LF text written into the file's own text, so bytes outside the edits never change."""

from __future__ import annotations

from bisect import bisect_left

from tools.editing.blocks import Match


def splice(raw: str, matches: list[Match], newline: str) -> str:
    """Apply matches (found on `raw` with CRLF unified to LF) to `raw` itself, last offsets first.

    CRLF, mixed endings and trailing spaces outside the matched regions all survive; replacements are
    written with the file's dominant line ending.
    """
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
    for match in sorted(matches, key=lambda m: (m.start, m.block), reverse=True):
        replacement = match.replacement if newline == "\n" else match.replacement.replace("\n", newline)
        result = result[: raw_offset(match.start)] + replacement + result[raw_offset(match.end) :]
    return result
