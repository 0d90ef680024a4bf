"""`--replay` and `--against-workspace`: the recorded file changes, re-applied and compared.

Replay starts a temporary copy from the commit recorded at task start, checks each change's
before-hash, writes the recorded after-content, and proves the recorded after-hash (and that the
recorded diff is the diff between the two). Nothing is written to the workspace.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from agent.trace.blobs import BlobReader
from tools.workspace.fileio import unified_diff
from tools.workspace.secrets import REDACTED


@dataclass(frozen=True)
class ChangeOutcome:
    seq: int
    path: str
    result: str
    """proven | unprovable | failed"""
    reason: str = ""


@dataclass
class ReplayReport:
    start_commit: str | None
    outcomes: list[ChangeOutcome] = field(default_factory=list)

    @property
    def proven(self) -> list[ChangeOutcome]:
        return [o for o in self.outcomes if o.result == "proven"]

    @property
    def failed(self) -> list[ChangeOutcome]:
        return [o for o in self.outcomes if o.result == "failed"]

    @property
    def unprovable(self) -> list[ChangeOutcome]:
        return [o for o in self.outcomes if o.result == "unprovable"]

    def summary(self) -> str:
        text = f"{len(self.proven)} of {len(self.outcomes)} recorded changes proven"
        if self.failed:
            first = self.failed[0]
            text += f", {len(self.failed)} FAILED (first: record {first.seq} {first.path}: {first.reason})"
        if self.unprovable:
            first = self.unprovable[0]
            text += f", {len(self.unprovable)} unprovable (first: {first.path}: {first.reason})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_commit": self.start_commit,
            "summary": self.summary(),
            "outcomes": [o.__dict__ for o in self.outcomes],
        }


@dataclass(frozen=True)
class WorkspaceDifference:
    path: str
    recorded_sha256: str | None
    current_sha256: str | None


@dataclass
class WorkspaceReport:
    checked: int
    differences: list[WorkspaceDifference] = field(default_factory=list)

    def summary(self) -> str:
        if not self.differences:
            return f"all {self.checked} changed files match the recorded end state"
        names = ", ".join(d.path for d in self.differences[:5])
        return f"{len(self.differences)} of {self.checked} files differ from the recorded end state now: {names}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "summary": self.summary(),
            "differences": [d.__dict__ for d in self.differences],
        }


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _inside(root: Path, rel: str) -> Path | None:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        return None
    return root.joinpath(*pure.parts)


def _start_commit(records: list[dict[str, Any]]) -> str | None:
    start = next((r for r in records if r.get("kind") == "task_start"), None)
    head = start.get("git_head") if start else None
    return head if isinstance(head, str) else None


def _materialize(workspace: Path, commit: str, into: Path) -> str | None:
    """Extract the tree of `commit` from the workspace's repository; an error text on failure."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(workspace), "archive", "--format=tar", commit],
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"git archive failed: {error}"
    if archive.returncode != 0:
        return (
            f"commit {commit[:12]} is not available in {workspace}: {archive.stderr.decode(errors='replace').strip()}"
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return None


def replay_changes(records: list[dict[str, Any]], blobs: BlobReader, workspace: Path) -> ReplayReport:
    commit = _start_commit(records)
    report = ReplayReport(start_commit=commit)
    changes = [r for r in records if r.get("kind") == "file_change"]
    with tempfile.TemporaryDirectory(prefix="flambeau-replay-") as tmp:
        root = Path(tmp)
        problem = _materialize(workspace, commit, root) if commit else None
        for record in changes:
            report.outcomes.append(_replay_one(record, root, blobs, problem))
    return report


def _replay_one(record: dict[str, Any], root: Path, blobs: BlobReader, start_problem: str | None) -> ChangeOutcome:
    seq, rel = int(record.get("seq", -1)), str(record.get("path", ""))
    target = _inside(root, rel)
    if target is None:
        return ChangeOutcome(seq, rel, "failed", "the recorded path leaves the workspace")
    before = target.read_bytes() if target.is_file() else None
    start_matches = _sha(before) == record.get("sha256_before")
    after_hash = record.get("sha256_after")
    if after_hash is None:
        target.unlink(missing_ok=True)
        return _judge(seq, rel, start_matches, start_problem)
    digest = record.get("after_blob")
    content = blobs.get(str(digest)) if isinstance(digest, str) else None
    if content is None:
        return ChangeOutcome(seq, rel, "unprovable", "the trace holds no after-content for this change")
    if record.get("after_redacted"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return ChangeOutcome(seq, rel, "unprovable", "the after-content held a secret and was stored redacted")
    if _sha(content) != after_hash:
        return ChangeOutcome(seq, rel, "failed", "the recorded after-content does not hash to the recorded after-hash")
    diff = record.get("diff")
    if start_matches and isinstance(diff, str) and REDACTED not in diff and unified_diff(rel, before, content) != diff:
        return ChangeOutcome(seq, rel, "failed", "the recorded diff is not the diff between before and after")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return _judge(seq, rel, start_matches, start_problem)


def _judge(seq: int, rel: str, start_matches: bool, start_problem: str | None) -> ChangeOutcome:
    if start_matches:
        return ChangeOutcome(seq, rel, "proven")
    reason = start_problem or (
        "the file at the recorded starting commit differs from the recorded before-state "
        "(uncommitted changes at task start, or a change made outside the agent)"
    )
    return ChangeOutcome(seq, rel, "unprovable", reason)


def compare_workspace(records: list[dict[str, Any]], workspace: Path) -> WorkspaceReport:
    """Which files the task changed now differ from the state the trace recorded last."""
    end_state: dict[str, str | None] = {}
    for record in records:
        if record.get("kind") == "file_change":
            end_state[str(record.get("path"))] = record.get("sha256_after")
    report = WorkspaceReport(checked=len(end_state))
    for rel, recorded in sorted(end_state.items()):
        target = _inside(workspace, rel)
        current = _sha(target.read_bytes()) if target is not None and target.is_file() else None
        if current != recorded:
            report.differences.append(WorkspaceDifference(rel, recorded, current))
    return report
