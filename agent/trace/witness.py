"""The witness log: every task's final signed checkpoint, also kept outside every workspace.

`$XDG_STATE_HOME/flambeau/witness.log` (default `~/.local/state/flambeau/witness.log`), append-only,
one JSON line per final checkpoint: trace id, workspace, trace path, tree size, root, signer key,
the signed note and the time. The writer appends the line before the checkpoint record, so a crash
between the two leaves a trace that stops just before a checkpoint the witness holds (damaged, not
tampered). `trace verify` and `trace list` compare a trace with what was witnessed: a trace that is
gone (erased), shorter than witnessed (truncated), or whose records no longer lead to a witnessed
root (replaced, re-signed) is reported as such; a sealed trace the witness never saw is not intact,
unless it was sealed before the log began (a trace written by a Flambeau without the witness log).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from agent.trace.merkle import MerkleAccumulator, consistency_proof, verify_consistency

WITNESS_FILE = "witness.log"


def witness_path() -> Path:
    from tools.policy.places import user_state_dir

    return user_state_dir() / WITNESS_FILE


@dataclass(frozen=True)
class SealedTrace:
    """Which trace, sealed by which key at which size and root: what a witness line and a deletion share."""

    trace_id: str
    workspace: str
    trace: str
    tree_size: int
    root: str
    key: str

    def seal(self) -> tuple[str, str, int, str]:
        return (self.trace_id, self.key, self.tree_size, self.root)

    @classmethod
    def from_line(cls, line: bytes, under: str = "") -> Self | None:
        """The entry one JSON line of the witness log holds (at its top level, or under the key `under`)."""
        try:
            raw = json.loads(line)
        except ValueError:
            return None
        if under:
            raw = raw.get(under) if isinstance(raw, dict) else None
        return cls.from_json(raw)

    @classmethod
    def from_json(cls, raw: Any) -> Self | None:
        """The entry whose fields `raw` holds, each of the declared kind (an int tree size, strings elsewhere)."""
        try:
            entry = cls(**{name: raw[name] for name in cls.__dataclass_fields__})
        except (TypeError, KeyError):
            return None
        valid = isinstance(entry.tree_size, int) and all(
            isinstance(getattr(entry, name), str) for name in cls.__dataclass_fields__ if name != "tree_size"
        )
        return entry if valid else None


@dataclass(frozen=True)
class Witnessed(SealedTrace):
    note: str
    time: str


def witness(entry: Witnessed) -> None:
    """Append one checkpoint to the witness log (created 0600 in a 0700 folder), durable on return."""
    append_line(entry.__dict__)


def append_line(value: dict[str, Any]) -> None:
    """Append one JSON line to the witness log: a checkpoint, or a signed deletion (agent/trace/deletion.py)."""
    path = witness_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    fd = os.open(path, flags, 0o600)
    try:
        line = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        os.write(fd, line)
        getattr(os, "fdatasync", os.fsync)(fd)
    finally:
        os.close(fd)


def witnessed_entries() -> list[Witnessed]:
    try:
        data = witness_path().read_bytes()
    except OSError:
        return []
    return [entry for line in data.splitlines() if (entry := Witnessed.from_line(line)) is not None]


def witness_began(entries: list[Witnessed] | None = None) -> str | None:
    """When the witness log's first checkpoint was written (None: it holds none yet)."""
    found = witnessed_entries() if entries is None else entries
    return min((e.time for e in found), default=None)


def entries_for(trace_id: str, entries: list[Witnessed] | None = None) -> list[Witnessed]:
    found = [e for e in (witnessed_entries() if entries is None else entries) if e.trace_id == trace_id]
    return sorted(found, key=lambda e: e.tree_size)


@dataclass(frozen=True)
class WitnessVerdict:
    state: str
    """witnessed | unwitnessed | prewitness (sealed before the log began) | truncated | replaced | pending
    (stops just before a witnessed checkpoint)"""
    message: str
    first_bad_record: int | None = None

    @property
    def contradicts(self) -> bool:
        """The trace is not what was witnessed (or was never witnessed): it cannot be called intact."""
        return self.state in ("unwitnessed", "truncated", "replaced")

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "message": self.message}


def judge(
    entries: list[Witnessed],
    leaves: list[bytes],
    public_key: str,
    sealed: bool,
    root: bytes | None = None,
    *,
    started: str = "",
    began: str | None = None,
) -> WitnessVerdict:
    """What the witnessed checkpoints of one trace say about its leaves (every whole line's leaf hash);
    `root`: their Merkle root, when the caller has it already; `started`: the trace header's time;
    `began`: when the log's first checkpoint was written (`witness_began`)."""
    log = witness_path()
    if not entries:
        if sealed and started and (began is None or started < began):
            return WitnessVerdict(
                "prewitness",
                f"not in the witness log: this trace began ({started}) before the log's first checkpoint "
                f"({began or 'none yet'}), written by a Flambeau without it; its signer is checked as usual",
            )
        if not sealed:
            return WitnessVerdict("unwitnessed", f"the witness log {log} has no final checkpoint of this trace yet")
        return WitnessVerdict(
            "unwitnessed",
            f"the witness log {log} has no record of this trace being sealed: it was not sealed by Flambeau for this "
            "user (a trace from elsewhere: verify it with its author's key, --key; otherwise it was forged)",
            0,
        )
    last = entries[-1]
    for entry in entries:
        if entry.key != public_key:
            return WitnessVerdict(
                "replaced",
                f"the witness log saw this trace signed by {entry.key}; the file is signed by {public_key}: "
                "it was re-signed",
                0,
            )
    if len(leaves) < last.tree_size:
        return WitnessVerdict(
            "truncated",
            f"the witness log saw this trace sealed at {last.tree_size} records ({last.time}); the file holds "
            f"{len(leaves)}: records were cut off",
            len(leaves),
        )
    if root is None:
        tree = MerkleAccumulator()
        for leaf in leaves:
            tree.append(leaf)
        root = tree.root()
    for entry in entries:
        size = entry.tree_size
        if size == len(leaves):
            matches = root.hex() == entry.root
        else:
            proof = consistency_proof(leaves, size) if size > 0 else []
            matches = size > 0 and verify_consistency(size, len(leaves), bytes.fromhex(entry.root), root, proof)
        if not matches:
            return WitnessVerdict(
                "replaced",
                f"the records before checkpoint {size} are not the ones the witness log saw sealed ({entry.time}): "
                "the trace was replaced or rewritten",
                size,
            )
    if len(leaves) == last.tree_size:
        return WitnessVerdict(
            "pending",
            f"the trace stops just before its final checkpoint, which the witness log holds ({last.time}); "
            "the records are the ones witnessed",
        )
    return WitnessVerdict("witnessed", f"matches the {len(entries)} checkpoint(s) in the witness log {log}")
