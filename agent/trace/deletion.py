"""Deleting a task from the history without hiding that it existed.

The trace stays append-only while it exists; deleting it removes the file (its blob pack and exports
too), but first a deletion is appended to the witness log, signed with the same key that sealed the
trace and naming the tree size and root it had. `trace list` and the history then show the trace as
*deleted by the user* (when, at what size) instead of *erased*: the witness log still says it existed,
and only the holder of the signing key can turn an erasure into a deletion. An unsigned or mismatched
deletion line changes nothing: the trace is reported erased, as before.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.trace.canonical import plain_canonical_bytes
from agent.trace.layout import TRACE_SUFFIX
from agent.trace.merkle import MerkleAccumulator, leaf_hash
from agent.trace.packs import pack_path
from agent.trace.reading import TraceError, read_trace
from agent.trace.signing import verify_signature
from agent.trace.witness import SealedTrace, Witnessed, append_line, witness_path

DELETION_FORMAT = "flambeau-deletion/1"
EXPORT_SUFFIXES = (".html", ".otlp.json", ".otlp.pb", ".md", ".conversation.json")
"""What `trace export` and the history's export write next to a trace: removed with it."""


@dataclass(frozen=True)
class Deletion(SealedTrace):
    time: str
    signature: str = ""

    def message(self) -> bytes:
        """What the signature covers: every field but itself, under the deletion format."""
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return plain_canonical_bytes({"format": DELETION_FORMAT, **fields})

    def signed(self) -> bool:
        return bool(self.signature) and verify_signature(self.key, self.signature, self.message())

    def matches(self, entry: Witnessed) -> bool:
        """This deletion is of the trace the witness saw sealed as `entry`, by the key that sealed it."""
        return entry.seal() == self.seal() and self.signed()


def deletions() -> list[Deletion]:
    """Every deletion line of the witness log (not yet checked: see `Deletion.matches`)."""
    try:
        data = witness_path().read_bytes()
    except OSError:
        return []
    lines = (line for line in data.splitlines() if b'"deletion"' in line)
    return [entry for line in lines if (entry := Deletion.from_line(line, under="deletion"))]


def deletion_of(entry: Witnessed, found: list[Deletion] | None = None) -> Deletion | None:
    """The signed deletion of the trace last witnessed as `entry`, if the user deleted it."""
    return next((d for d in reversed(deletions() if found is None else found) if d.matches(entry)), None)


def _sealed_tree(lines: list[bytes], records: list[dict[str, Any] | None]) -> tuple[int, str]:
    """The size and root the witness log holds for a sealed trace (its final checkpoint's); for one never
    sealed, those of all its records."""
    last = records[-1] if records else None
    if last is not None and last.get("kind") == "checkpoint" and last.get("final"):
        return int(last["tree_size"]), str(last["root"])
    tree = MerkleAccumulator()
    for line in lines:
        tree.append(leaf_hash(line))
    return tree.size, tree.root().hex()


def delete_trace(path: Path) -> Deletion:
    """Record the deletion in the witness log, then remove the trace, its blob pack and its exports."""
    from agent.trace.signing import load_signing_key
    from agent.trace.writer import now_iso

    if path.is_symlink() or path.parent.is_symlink():
        raise TraceError(f"{path} is a symbolic link; Flambeau deletes only its own trace files")
    raw = read_trace(path)
    size, root = _sealed_tree(raw.lines, raw.records)
    key = load_signing_key()
    unsigned = Deletion(
        trace_id=str(raw.header.get("task_id") or path.name.removesuffix(TRACE_SUFFIX)),
        workspace=str(path.resolve().parent.parent.parent),
        trace=str(path),
        tree_size=size,
        root=root,
        key=key.public_id,
        time=now_iso(),
    )
    deletion = Deletion(**{**asdict(unsigned), "signature": key.sign(unsigned.message())})
    append_line({"deletion": asdict(deletion)})
    stem = path.name.removesuffix(TRACE_SUFFIX)
    for target in (path, pack_path(path), *(path.with_name(stem + suffix) for suffix in EXPORT_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
    return deletion
