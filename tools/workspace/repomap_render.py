"""Writing the repository map's best definitions as text: grouped by file, methods under their class, cut to fit."""

from __future__ import annotations

from collections.abc import Callable

from tools.outline import Definition

TokenCount = Callable[[str], int]
Ranked = list[tuple[float, str, Definition]]
"""(score, file, definition), best first."""


def approximate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


def render_within(
    ranked: Ranked, budget_tokens: int, count: TokenCount, definitions_of: Callable[[str], list[Definition]]
) -> str:
    """The longest prefix of `ranked` whose rendering fits in `budget_tokens` (binary search on the prefix)."""
    low, high, best = 1, len(ranked), ""
    while low <= high:
        middle = (low + high) // 2
        text = render_top(ranked[:middle], definitions_of)
        if count(text) <= budget_tokens:
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best


def render_top(top: Ranked, definitions_of: Callable[[str], list[Definition]]) -> str:
    chosen: dict[str, set[Definition]] = {}
    file_rank: dict[str, int] = {}
    for position, (_, rel, d) in enumerate(top):
        chosen.setdefault(rel, set()).add(d)
        file_rank.setdefault(rel, position)
    blocks: list[str] = []
    for rel in sorted(chosen, key=file_rank.__getitem__):
        picked = chosen[rel]
        lines = [f"{rel}:"]
        parent: Definition | None = None
        for d in definitions_of(rel):
            if d.depth == 0:
                parent = d
            if d not in picked:
                continue
            if d.depth > 0 and parent is not None and parent not in picked:
                lines.append(f"  {parent.signature}")
                picked.add(parent)
            lines.append(f"{'  ' * (d.depth + 1)}{d.signature}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)
