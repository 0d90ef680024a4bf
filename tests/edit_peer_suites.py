"""Other tools' search/replace test cases (tests/data/edit_peers/*.toml) run through edit_file, and classified.

Each case holds a file, the blocks of one edit_file call, what the peer's own test expects, and — where a
careful tool should do otherwise — what Flambeau intends instead, with a note saying why. `run_case` makes
the call in a fresh workspace; `peer_class` compares the outcome with the peer's expectation (the figures of
docs/benchmarks.md), `intended_problems` with Flambeau's intention (what tests/test_edit_peer_suites.py asserts).
"""

from __future__ import annotations

import asyncio
import tempfile
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tools.base import ToolContext, ToolError
from tools.edit import EditFile
from tools.workspace.jail import Workspace

DATA = Path(__file__).parent / "data" / "edit_peers"
PEERS = ("cline", "roo_code", "continue", "aider")


class PeerClass(StrEnum):
    SAME = "same"
    REFUSED = "refused where the peer succeeds"
    DIFFERS = "result differs from the peer's"
    WRONGLY_APPLIED = "applied where the peer refuses"


@dataclass(frozen=True)
class PeerCase:
    peer: str
    repository: str
    commit: str
    path: str
    test: str
    file: str
    before: str | None
    """None: the file does not exist before the call."""
    edits: list[dict[str, Any]]
    peer_outcome: str
    """"applies", "refuses" or "previews" (a dry run)."""
    peer_after: str | None = None
    peer_contains: list[str] = field(default_factory=list)
    peer_excludes: list[str] = field(default_factory=list)
    expected: str | None = None
    """Flambeau's intended text where it differs from the peer's."""
    refused: str | None = None
    """Flambeau refuses; the message contains this."""
    note: str = ""
    mode: str = "run"

    @property
    def case_id(self) -> str:
        return f"{self.peer}: {self.test}"


@dataclass(frozen=True)
class Outcome:
    applied: bool
    after: bytes
    """The file's bytes after the call (b"" when it still does not exist)."""
    message: str
    """The tool's output, or its refusal."""


def _text(raw: dict[str, Any], name: str) -> str | None:
    repeat = raw.get(f"{name}_repeat")
    if repeat is not None:
        body = str(repeat["text"]) * int(repeat["times"])
        return str(repeat.get("prefix", "")) + body + str(repeat.get("suffix", ""))
    value = raw.get(name)
    return None if value is None else str(value)


def _edit(raw: dict[str, Any]) -> dict[str, Any]:
    edit = {key: value for key, value in raw.items() if not key.endswith("_repeat")}
    search = _text(raw, "search")
    edit["search"] = search if search is not None else ""
    return edit


def load_cases(peer: str) -> list[PeerCase]:
    data = tomllib.loads((DATA / f"{peer}.toml").read_text(encoding="utf-8"))
    source = data["source"]
    cases = []
    for raw in data["case"]:
        exists = raw.get("exists", True)
        cases.append(
            PeerCase(
                peer=peer,
                repository=source["repository"],
                commit=source["commit"],
                path=raw["path"],
                test=raw["test"],
                file=raw.get("file", "file.txt"),
                before=(_text(raw, "before") or "") if exists else None,
                edits=[_edit(e) for e in raw["edits"]],
                peer_outcome=raw["peer"],
                peer_after=raw.get("peer_after"),
                peer_contains=list(raw.get("peer_contains", [])),
                peer_excludes=list(raw.get("peer_excludes", [])),
                expected=raw.get("expected"),
                refused=raw.get("refused"),
                note=raw.get("note", ""),
                mode=raw.get("mode", "run"),
            )
        )
    return cases


def all_cases() -> list[PeerCase]:
    return [case for peer in PEERS for case in load_cases(peer)]


def run_case(case: PeerCase, root: Path) -> Outcome:
    """One edit_file call (or its preview) in the workspace `root`, which holds only the case's file."""
    target = root / case.file
    if case.before is not None:
        target.write_bytes(case.before.encode("utf-8"))
    ctx = ToolContext(workspace=Workspace(root))
    tool = EditFile()
    try:
        args = tool.parse({"path": case.file, "edits": case.edits})
        if case.mode == "preview":
            message, applied = tool.preview(args, ctx), False
        else:
            message, applied = asyncio.run(tool.run(args, ctx)).output, True
    except (ToolError, ValidationError) as refusal:
        message, applied = str(refusal), False
    after = target.read_bytes() if target.exists() else b""
    return Outcome(applied, after, message)


def run_in_fresh_workspace(case: PeerCase) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="flambeau-peer-") as root:
        return run_case(case, Path(root))


def _matches_peer_text(case: PeerCase, text: str) -> bool:
    if case.peer_after is not None:
        return text == case.peer_after
    return all(s in text for s in case.peer_contains) and not any(s in text for s in case.peer_excludes)


def peer_class(case: PeerCase, outcome: Outcome) -> PeerClass:
    before = (case.before or "").encode("utf-8")
    if case.peer_outcome == "refuses":
        return PeerClass.WRONGLY_APPLIED if outcome.applied else PeerClass.SAME
    if case.peer_outcome == "previews":
        if outcome.after != before:
            return PeerClass.WRONGLY_APPLIED
        return PeerClass.SAME if outcome.message.startswith("---") else PeerClass.REFUSED
    if not outcome.applied:
        return PeerClass.REFUSED
    return PeerClass.SAME if _matches_peer_text(case, outcome.after.decode("utf-8")) else PeerClass.DIFFERS


def intended_problems(case: PeerCase, outcome: Outcome) -> list[str]:
    """What is wrong with `outcome` against Flambeau's intention for the case (empty: nothing)."""
    before = b"" if case.before is None else case.before.encode("utf-8")
    refuses = case.refused is not None or case.peer_outcome == "refuses"
    if refuses or case.mode == "preview" or not outcome.applied:
        problems = [] if outcome.after == before else ["the file changed although nothing was to be applied"]
        if case.mode == "preview":
            if not outcome.message.startswith("---"):
                problems.append(f"no preview diff: {outcome.message!r}")
        elif not refuses:
            problems.append(f"refused: {outcome.message}")
        elif outcome.applied:
            problems.append("applied where it should refuse")
        elif case.refused and case.refused not in outcome.message:
            problems.append(f"the refusal does not say {case.refused!r}: {outcome.message}")
        return problems
    text = outcome.after.decode("utf-8")
    if case.expected is not None:
        return [] if text == case.expected else [f"result {text!r} is not the intended {case.expected!r}"]
    return [] if _matches_peer_text(case, text) else [f"result {text!r} does not meet the peer's expectation"]
