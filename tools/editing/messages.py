"""What edit_file tells the model when it refuses: which blocks failed, why, and the current text to copy.

Excerpts are the file's lines as they are, fenced and labelled with their line range, never prefixed with
line numbers: a model copies what it is shown, and a copied "12 | " would be taken for content.
"""

from __future__ import annotations

from tools.editing.blocks import BlockFailure, EditBlock, EditRefused
from tools.editing.matcher import Matcher
from tools.editing.text import FileLines

STALE_CONTEXT_LINES = 3
MAX_REGION_LINES = 60


def refusal_text(rel: str, lf_text: str, failures: list[BlockFailure], total: int) -> str:
    lines = FileLines(lf_text)
    if total == 1:
        scope = "the block or nothing is applied"
    else:
        every = "both blocks" if total == 2 else f"all {total} blocks"
        scope = f"{every} or nothing is applied, each matched against the file as it was"
    parts = [f"no change made to {rel} ({scope}):"]
    for failure in failures:
        parts.append(f"- {failure.reason}")
        candidate = failure.candidate
        if candidate is not None and (candidate.similarity < 100 or candidate.kind == "current text"):
            excerpt = lines.excerpt(
                candidate.first_line, min(candidate.last_line, candidate.first_line + MAX_REGION_LINES)
            )
            similar = f", {candidate.similarity:.0f}% similar" if candidate.similarity < 100 else ""
            parts.append(f"  {candidate.kind} ({excerpt.label}{similar}):\n{excerpt.fenced}")
    if any(f.kind in ("not found", "stale") for f in failures):
        parts.append("Copy the search text exactly from the current file (read_file shows it), then retry.")
    return "\n".join(parts)


def fresh_regions(lf_text: str, blocks: list[EditBlock]) -> str:
    """The current text where `blocks` apply (or come closest), with a few lines around, to redo an edit against."""
    matcher = Matcher(lf_text)
    lines = matcher.file
    regions: list[tuple[int, int]] = []
    for index, block in enumerate(blocks, start=1):
        try:
            regions.extend((m.first_line, m.last_line) for m in matcher.locate(index, block))
        except EditRefused as refused:
            candidate = refused.failures[0].candidate
            if candidate is not None:
                regions.append((candidate.first_line, candidate.last_line))
    if not regions:
        regions = [(1, min(lines.line_count, MAX_REGION_LINES))]
        context = 0
    else:
        context = STALE_CONTEXT_LINES
    excerpts = [
        lines.excerpt(first, min(last, first + MAX_REGION_LINES), context=context)
        for first, last in sorted(set(regions))
    ]
    return "\n".join(f"{e.label}:\n{e.fenced}" for e in excerpts)
