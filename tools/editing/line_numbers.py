"""Line-number prefixes ("12 | code", as many tools print files) taken off a block that carries them throughout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

_PREFIX = re.compile(r"[ \t]*(\d+)[ \t]*\|(?!\|) ?")


@dataclass(frozen=True)
class Numbered:
    text: str
    """The block's text without the prefixes."""
    first: int
    """The number the first line carried."""
    lines: int


def strip_line_numbers(text: str) -> Numbered | None:
    """`text` without prefixes when every line carries one and the numbers count up by one; else None."""
    lines = text.split("\n")
    final_newline = len(lines) > 1 and lines[-1] == ""
    if final_newline:
        lines.pop()
    numbers: list[int] = []
    bodies: list[str] = []
    for line in lines:
        found = _PREFIX.match(line)
        if found is None:
            return None
        numbers.append(int(found.group(1)))
        bodies.append(line[found.end() :])
    if not numbers or any(b - a != 1 for a, b in pairwise(numbers)):
        return None
    return Numbered("\n".join(bodies) + ("\n" if final_newline else ""), numbers[0], len(numbers))
