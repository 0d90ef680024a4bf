"""Verifying a trace: canonical form, sequence, hash chain, signed Merkle checkpoints, blobs, signer key,
and what the witness log saw of it (agent/trace/witness.py).

The first record that fails a check is named. Exit codes: 0 intact, 1 tampered, 2 damaged (a torn
final line, or a trace that stops before its final signed checkpoint).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agent.trace.blob_check import PendingCheck
from agent.trace.canonical import parse_canonical
from agent.trace.checkpoints import RULES, CheckpointRule, rule_for
from agent.trace.deletion import deletion_of
from agent.trace.layout import TRACE_SUFFIX
from agent.trace.merkle import MerkleAccumulator, consistency_proof, leaf_hash, verify_consistency
from agent.trace.packs import TraceBlobs
from agent.trace.reading import RawTrace, TraceError, parse_line, read_trace
from agent.trace.replay import ReplayReport, WorkspaceReport, compare_workspace, replay_changes
from agent.trace.signing import local_public_key, parse_public_key, public_key_id
from agent.trace.witness import entries_for, judge, witness_began, witnessed_entries

_sha256 = hashlib.sha256
Status = Literal["intact", "tampered", "damaged"]
EXIT_CODES: dict[Status, int] = {"intact": 0, "tampered": 1, "damaged": 2}


@dataclass
class VerifyReport:
    path: Path
    status: Status
    message: str
    records: int = 0
    """Whole records in the file."""
    verified_records: int = 0
    """Records (from the first) that passed every check."""
    signed_records: int = 0
    """Records covered by the last valid signed checkpoint."""
    first_bad_record: int | None = None
    """`seq` of the first record that fails (or is missing); None when intact."""
    checkpoints: int = 0
    sealed: bool = False
    """The trace ends with a final signed checkpoint."""
    task_id: str | None = None
    public_key: str | None = None
    key_trusted: bool | None = None
    """True: the signer is a pinned key; None: no key was pinned and this machine has none."""
    replay: ReplayReport | None = None
    workspace: WorkspaceReport | None = None
    notes: list[str] = field(default_factory=list)
    witness: str | None = None
    """What the witness log says: witnessed | unwitnessed | pending | truncated | replaced | erased."""

    @property
    def exit_code(self) -> int:
        if self.status == "intact" and self.replay is not None and self.replay.failed:
            return EXIT_CODES["tampered"]
        return EXIT_CODES[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "status": self.status,
            "exit_code": self.exit_code,
            "message": self.message,
            "records": self.records,
            "verified_records": self.verified_records,
            "signed_records": self.signed_records,
            "first_bad_record": self.first_bad_record,
            "checkpoints": self.checkpoints,
            "sealed": self.sealed,
            "task_id": self.task_id,
            "public_key": self.public_key,
            "key_trusted": self.key_trusted,
            "replay": self.replay.to_dict() if self.replay else None,
            "workspace": self.workspace.to_dict() if self.workspace else None,
            "notes": self.notes,
            "witness": self.witness,
        }


class _Tampered(Exception):
    def __init__(self, seq: int, message: str) -> None:
        super().__init__(message)
        self.seq = seq
        self.message = message


def verify(
    path: Path,
    replay: bool = False,
    against_workspace: bool = False,
    trusted_keys: Iterable[str] | None = None,
    workspace: Path | None = None,
    parallel: bool | None = None,
) -> VerifyReport:
    """Check a trace file. `trusted_keys`: signer keys to accept (`ed25519:<hex>`); by default this
    machine's trace key when it has one. `workspace`: where to replay from and compare against
    (default: the workspace that holds the trace). `parallel`: check blobs in a forked child beside the
    record pass (default: on a large trace in a process with no other threads)."""
    pinned = trusted_keys is not None
    if trusted_keys is not None:
        trusted_keys = [public_key_id(parse_public_key(key)) for key in trusted_keys]
    path = Path(path)
    if not path.exists() and (erased := _erased(path)) is not None:
        return erased
    raw = read_trace(path, parse=False)
    report = VerifyReport(path=path, status="intact", message="", records=len(raw.lines))
    checker = _Checker(raw, TraceBlobs(path), parallel)
    try:
        checker.run(report)
        _check_signer(report, trusted_keys)
        header = raw.records[0] if raw.records else None
        started = str(header.get("time", "")) if header else ""
        _check_witness(report, checker.leaves, checker.tree.root(), pinned, started)
    except _Tampered as found:
        bad = checker.earliest_failure(found)
        report.status, report.first_bad_record = "tampered", bad.seq
        report.message = f"tampered: record {bad.seq}: {bad.message}"
        return report
    _describe_ending(report, raw)
    records = [r for r in raw.records[: report.verified_records] if r is not None]
    root = workspace or _workspace_of(path)
    if replay:
        report.replay = replay_changes(records, checker.blobs, root)
        report.message += f"; replay: {report.replay.summary()}"
    if against_workspace:
        report.workspace = compare_workspace(records, root)
        report.message += f"; workspace: {report.workspace.summary()}"
    return report


def _workspace_of(trace: Path) -> Path:
    return trace.resolve().parent.parent.parent


class _Checker:
    """One pass over the lines. Checkpoint roots are checked as they come; their signatures at the end:
    the last one always, and every earlier checkpoint is a leaf of the tree that signature covers, so
    its bytes (signature included) are authenticated by it. An Ed25519 verification per checkpoint
    would cost most of the time. On any failure, the earlier signatures are checked one by one so
    the first bad record is named exactly as an eager check would. What the records name (blobs,
    request bodies) is checked beside the pass (`blob_check`) and merged in record order."""

    def __init__(self, raw: RawTrace, blobs: TraceBlobs, parallel: bool | None = None) -> None:
        self.raw = raw
        self.blobs = blobs
        self.parallel = parallel
        self.tree = MerkleAccumulator()
        self.leaves: list[bytes] = []
        self.public_key = ""
        self.task_id = ""
        self.rule: CheckpointRule | None = None
        self.checkpoints: list[tuple[int, dict[str, Any]]] = []

    def run(self, report: VerifyReport) -> None:
        raw = self.raw
        raw.records = [None] * len(raw.lines)
        pending = PendingCheck(raw.lines, self.blobs, self.parallel)
        try:
            failure, seq, in_checkpoint = self._record_pass(report)
        except BaseException:
            pending.cancel()
            raise
        named = pending.result(seq + 1 if in_checkpoint else seq, raw.records)
        if named is not None:
            failure, seq = _Tampered(*named), named[0]
            report.checkpoints = sum(1 for at, _ in self.checkpoints if at < seq)
            report.signed_records = max((at for at, _ in self.checkpoints if at < seq), default=0)
        report.verified_records = seq
        last = raw.records[seq - 1] if seq else None
        report.sealed = last is not None and last.get("kind") == "checkpoint" and bool(last.get("final"))
        if failure is not None:
            raise failure
        if self.checkpoints:
            seq, record = self.checkpoints[-1]
            if not self._signature_ok(record):
                raise _Tampered(seq, "checkpoint signature does not verify with the key in the trace header")
            self._check_sealed_states()

    def _record_pass(self, report: VerifyReport) -> tuple[_Tampered | None, int, bool]:
        """(the first failure or None, the record it stopped at, whether it failed in its checkpoint check)."""
        raw = self.raw
        previous_kind, prev = "", ""
        leaves, append_leaf, sha256 = self.leaves, self.tree.append, _sha256
        seq, in_checkpoint = 0, False
        try:
            for seq, line in enumerate(raw.lines):
                record = self._well_formed(seq, line)
                kind = record["kind"]
                if record.get("seq") != seq or (seq == 0) != (kind == "trace_header"):
                    self._check_position(seq, record)
                if record.get("prev") != prev:
                    self._check_chain(seq, record)
                if seq == 0:
                    self._header(record)
                    report.task_id, report.public_key = self.task_id, self.public_key
                if kind == "checkpoint" or "signature" in record or "note_signature" in record:
                    in_checkpoint = True
                    self._check_checkpoint(seq, record, previous_kind)
                    in_checkpoint = False
                    report.checkpoints += 1
                    report.signed_records = seq
                previous_kind = kind
                leaf = sha256(b"\x00" + line).digest()  # leaf_hash, inline: this loop is the verify time
                leaves.append(leaf)
                append_leaf(leaf)
                prev = leaf.hex()
        except _Tampered as found:
            return found, seq, in_checkpoint
        return None, len(raw.lines), False

    def earliest_failure(self, found: _Tampered) -> _Tampered:
        """`found`, or an earlier checkpoint whose signature does not verify."""
        for seq, record in self.checkpoints:
            if seq >= found.seq:
                break
            if not self._signature_ok(record):
                return _Tampered(seq, "checkpoint signature does not verify with the key in the trace header")
        return found

    def _well_formed(self, seq: int, line: bytes) -> dict[str, Any]:
        record, canonical = parse_canonical(line)
        self.raw.records[seq] = record
        if record is None:
            raise _Tampered(seq, "not a JSON object (bytes were changed, or a line was split or joined)")
        if not canonical:
            raise _Tampered(seq, "not in canonical JSON form (RFC 8785): it was edited after it was written")
        if not isinstance(record.get("kind"), str):
            raise _Tampered(seq, "has no kind")
        return record

    def _check_position(self, seq: int, record: dict[str, Any]) -> None:
        found = record.get("seq")
        if found != seq:
            if isinstance(found, int) and found > seq:
                raise _Tampered(seq, f"is missing (record {found} stands in its place): records were deleted")
            raise _Tampered(seq, f"holds record {found!r}: records were reordered or duplicated")
        if (seq == 0) != (record["kind"] == "trace_header"):
            raise _Tampered(seq, "the trace header must be the first record, and only the first")

    def _check_chain(self, seq: int, record: dict[str, Any]) -> None:
        expected = self.leaves[seq - 1].hex() if seq else ""
        if record.get("prev") == expected:
            return
        raise _Tampered(self._chain_culprit(seq), "does not match the hash the following record committed to")

    def _chain_culprit(self, seq: int) -> int:
        """`prev` of record `seq` disagrees with record `seq-1`: which of the two was changed?"""
        if seq == 0:
            return 0
        line = self.raw.lines[seq]
        if seq + 1 < len(self.raw.lines):
            following = parse_line(self.raw.lines[seq + 1])
            vouched = following is not None and following.get("prev") == leaf_hash(line).hex()
            return seq - 1 if vouched else seq
        record = self.raw.records[seq] or {}
        # A valid signature vouches for this record's `prev` (a JSON checkpoint signs it; a note signs the
        # root, which covers the record before): when it still holds, the one before was changed.
        rule = self.rule
        signed = rule is not None and record.get("kind") == "checkpoint" and self._signature_ok(record)
        if signed and rule is not None and (rule.signs_prev or record.get("root") != self.tree.root().hex()):
            return seq - 1
        return seq

    def _header(self, record: dict[str, Any]) -> None:
        self.rule = rule_for(record.get("format"))
        if self.rule is None:
            raise _Tampered(0, f"unknown trace format {record.get('format')!r} (expected {' or '.join(RULES)})")
        key = record.get("public_key")
        try:
            parse_public_key(str(key))
        except ValueError as error:
            raise _Tampered(0, str(error)) from error
        self.public_key, self.task_id = str(key), str(record.get("task_id"))

    def _signature_ok(self, record: dict[str, Any]) -> bool:
        return self.rule is not None and self.rule.signature_ok(self.public_key, self.task_id, record)

    def _check_checkpoint(self, seq: int, record: dict[str, Any], previous_kind: str) -> None:
        assert self.rule is not None
        problem = self.rule.malformed(record, previous_kind)
        if problem:
            raise _Tampered(seq, problem)
        if record.get("tree_size") != seq:
            raise _Tampered(seq, f"checkpoint covers {record.get('tree_size')} records, but {seq} precede it")
        if record.get("root") != self.tree.root().hex():
            raise _Tampered(seq, "checkpoint root differs from the Merkle root of the records before it")
        self.checkpoints.append((seq, record))

    def _check_sealed_states(self) -> None:
        """Each checkpoint's tree grows from the previous one's by the records between them (the
        accumulator carries its frontier on). A trace continued after it was sealed (a follow-up) also
        gets an RFC 9162 consistency proof from every earlier final checkpoint to the last one: the
        notes a reviewer may have been handed when a task ended."""
        last_size, last_record = self.checkpoints[-1]
        last_root = bytes.fromhex(last_record["root"])
        for size, record in self.checkpoints[:-1]:
            if record.get("final"):
                proof = consistency_proof(self.leaves[:last_size], size)
                if not verify_consistency(size, last_size, bytes.fromhex(record["root"]), last_root, proof):
                    raise _Tampered(size, "checkpoint is not consistent with the last one")


def _erased(path: Path) -> VerifyReport | None:
    """The report on a trace file that is gone but was witnessed; None when the witness never saw it."""
    task_id = path.name.removesuffix(TRACE_SUFFIX)
    entries = entries_for(task_id)
    if not entries:
        return None
    last = entries[-1]
    deletion = deletion_of(last)
    if deletion is not None:
        raise TraceError(
            f"the trace {task_id} was deleted by the user ({deletion.time}) at {deletion.tree_size} records, "
            "as the signed deletion in the witness log records; there is nothing left to verify"
        )
    message = (
        f"tampered: erased: the trace {task_id} is gone, but the witness log saw it sealed at {last.tree_size} "
        f"records ({last.time}) in {last.workspace}"
    )
    return VerifyReport(path, "tampered", message, first_bad_record=0, task_id=task_id, public_key=last.key,
                        witness="erased")  # fmt: skip


def _check_witness(report: VerifyReport, leaves: list[bytes], root: bytes, pinned: bool, started: str) -> None:
    """A trace is intact only as the witness log saw it; one it never saw only when its signer was pinned
    (a trace from another machine), when it is not sealed (then it is damaged anyway), or when it began
    before the witness log did (`started`: its header's time), as traces written before the log existed."""
    if report.task_id is None or report.public_key is None:
        return
    entries = witnessed_entries()
    mine = entries_for(report.task_id, entries)
    verdict = judge(mine, leaves, report.public_key, report.sealed, root, started=started, began=witness_began(entries))
    report.witness = verdict.state
    if verdict.state == "prewitness" or (verdict.state == "unwitnessed" and (pinned or not report.sealed)):
        report.notes.append(verdict.message)
    elif verdict.contradicts:
        raise _Tampered(verdict.first_bad_record or 0, f"{verdict.state}: {verdict.message}")
    elif verdict.state == "pending":
        report.notes.append(verdict.message)


def _check_signer(report: VerifyReport, trusted_keys: Iterable[str] | None) -> None:
    if report.public_key is None:
        return
    trusted = set(trusted_keys) if trusted_keys is not None else set()
    if trusted_keys is None:
        local = local_public_key()
        if local is None:
            report.notes.append("no trusted key pinned and this machine has no trace key: the signer is not checked")
            return
        trusted.add(local)
    if report.public_key not in trusted:
        report.key_trusted = False
        raise _Tampered(
            0,
            f"signed with {report.public_key}, which is not a trusted key "
            "(pass the author's key with --key ed25519:<hex> to verify a trace from elsewhere)",
        )
    report.key_trusted = True


def _describe_ending(report: VerifyReport, raw: RawTrace) -> None:
    n = len(raw.lines)
    if n == 0:
        report.status, report.first_bad_record = "damaged", 0
        report.message = "damaged: the trace has no whole record"
    elif raw.torn_tail:
        report.status, report.first_bad_record = "damaged", n
        report.message = (
            f"damaged: the last line (record {n}) is incomplete, a write interrupted by a crash or kill; "
            f"records 0–{n - 1} verify ({report.signed_records} signed)"
        )
    elif not report.sealed:
        report.status, report.first_bad_record = "damaged", n
        report.message = (
            f"damaged: the trace stops after record {n - 1} without its final signed checkpoint "
            f"(the task was interrupted, or the tail was cut off); records 0–{n - 1} verify, "
            f"{report.signed_records} of them signed"
        )
    else:
        report.message = f"intact: {n} records, {report.checkpoints} signed checkpoints, sealed"
