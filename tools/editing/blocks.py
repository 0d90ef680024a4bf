"""One SEARCH/REPLACE block as the matcher sees it, where it matched, and why it was refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Position = Literal["start", "end"]


@dataclass(frozen=True)
class EditBlock:
    search: str
    replace: str
    replace_all: bool = False
    """Change every place the search matches (exactly or whitespace-tolerantly) instead of exactly one."""
    line: int | None = None
    """1-based line where the search starts, to choose among identical matches."""
    position: Position | None = None
    """With an empty search: insert the replacement at the start or the end of the file."""


@dataclass(frozen=True)
class Candidate:
    """A region of the file shown to the model when a block did not apply."""

    first_line: int
    last_line: int
    similarity: float
    kind: str = "closest text"


@dataclass(frozen=True)
class Match:
    block: int
    start: int
    end: int
    """Offsets in the LF text (end exclusive)."""
    replacement: str
    """Replacement text with LF line endings."""
    stage: str
    first_line: int
    last_line: int


FailureKind = Literal["not found", "stale", "ambiguous", "usage"]


@dataclass(frozen=True)
class BlockFailure:
    block: int
    reason: str
    candidate: Candidate | None = None
    kind: FailureKind = "usage"
    """"not found" and "stale" call for the file's current text; the others say their fix in `reason`."""


class EditRefused(Exception):
    def __init__(self, failures: list[BlockFailure]) -> None:
        super().__init__("; ".join(f.reason for f in failures))
        self.failures = failures


def refuse(index: int, reason: str, candidate: Candidate | None = None, kind: FailureKind = "usage") -> EditRefused:
    """The refusal of one block (`reason` follows "block N: ")."""
    return EditRefused([BlockFailure(index, f"block {index}: {reason}", candidate, kind)])
