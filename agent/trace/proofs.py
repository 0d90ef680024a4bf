"""Proof of one record: a small self-contained bundle that shows a reviewer one action without the trace.

The bundle (JSON, `flambeau-proof/1`) holds the record's line, its RFC 9162 inclusion proof in the
tree of the trace's last signed checkpoint, that checkpoint as a C2SP signed note, and every blob the
record names. `verify_bundle` needs only the bundle and the author's verifier key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.trace.canonical import parse_canonical
from agent.trace.checkpoints import checkpoint_note
from agent.trace.layout import FORMAT
from agent.trace.merkle import inclusion_proof, leaf_hash, verify_inclusion
from agent.trace.note import NoteError, open_note, parse_verifier_key
from agent.trace.packs import TraceBlobs
from agent.trace.reading import TraceError, read_trace
from agent.trace.requests import RequestError, RequestReader
from agent.trace.verify import verify

BUNDLE_FORMAT = "flambeau-proof/1"


def blob_names(record: dict[str, Any]) -> list[str]:
    """The blobs a record names (fields ending in `_blob`)."""
    return [str(v) for k, v in record.items() if k.endswith("_blob")]


def prove(path: Path, index: int, out: Path | None = None) -> Path:
    """Write the proof bundle of record `index` (next to the trace, or to `out`) and return where it went."""
    path = Path(path)
    report = verify(path, trusted_keys=[_header_key(path)])
    raw = read_trace(path)
    header = raw.header
    if header.get("format") != FORMAT:
        raise TraceError(
            f"{path} was written as {header.get('format')}, before checkpoints were signed notes: "
            "it can be verified whole but not proven record by record"
        )
    size = report.signed_records
    if report.status == "tampered" or not 0 <= index < size:
        if report.status == "tampered":
            raise TraceError(f"{path} does not verify ({report.message}); a proof from it would prove nothing")
        raise TraceError(f"record {index} is not covered by a signed checkpoint of {path} (records 0–{size - 1} are)")
    record = raw.records[index] or {}
    checkpoint = raw.records[size] or {}
    leaves = [leaf_hash(line) for line in raw.lines[:size]]
    store = TraceBlobs(path)
    names = blob_names(record)
    if record.get("kind") == "model_request" and "body_sha256" in record:
        reader = RequestReader(store.get)
        reader.body(record)
        names += sorted(reader.blobs_read - set(names))
    blobs = {}
    for digest in names:
        data = store.get(digest)
        if data is not None:
            blobs[digest] = base64.b64encode(data).decode("ascii")
    bundle = {
        "format": BUNDLE_FORMAT,
        "task_id": header.get("task_id"),
        "record_index": index,
        "record": raw.lines[index].decode("utf-8"),
        "tree_size": size,
        "inclusion_proof": [base64.b64encode(node).decode("ascii") for node in inclusion_proof(leaves, index)],
        "checkpoint": checkpoint_note(str(header["public_key"]), str(header["task_id"]), checkpoint),
        "blobs": blobs,
    }
    target = out or path.with_name(f"{path.name.removesuffix('.jsonl')}.record-{index}.proof.json")
    target.write_text(json.dumps(bundle, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def _header_key(path: Path) -> str:
    header = read_trace(path).header
    if not header:
        raise TraceError(f"{path} has no trace header; pass a trace file (.flambeau/traces/<task id>.jsonl)")
    return str(header.get("public_key"))


@dataclass
class ProofReport:
    ok: bool
    message: str
    origin: str | None = None
    tree_size: int | None = None
    record_index: int | None = None
    record: dict[str, Any] | None = None
    blobs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_bundle(path: Path, key: str) -> ProofReport:
    """Check a proof bundle against the author's verifier key (`name+id+base64`, or `ed25519:<hex>`)."""
    verifier = parse_verifier_key(key)
    try:
        bundle = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise TraceError(f"no proof bundle at {path}; 'flambeau trace prove' writes one") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TraceError(f"{path} is not a proof bundle (not JSON: {error})") from error
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise TraceError(f"{path} is not a proof bundle (expected format {BUNDLE_FORMAT})")
    try:
        return _check(bundle, verifier)
    except NoteError as error:
        return ProofReport(False, f"checkpoint: {error}")
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        return ProofReport(False, f"malformed bundle: {error!r}")


def _check(bundle: dict[str, Any], verifier: Any) -> ProofReport:
    checkpoint = open_note(str(bundle["checkpoint"]), verifier)
    index, size = int(bundle["record_index"]), int(bundle["tree_size"])
    line = str(bundle["record"]).encode("utf-8")
    report = ProofReport(False, "", checkpoint.origin, checkpoint.tree_size, index)
    if size != checkpoint.tree_size:
        report.message = f"the bundle claims a tree of {size} records, its signed checkpoint {checkpoint.tree_size}"
        return report
    proof = [base64.b64decode(node, validate=True) for node in bundle["inclusion_proof"]]
    if not verify_inclusion(index, size, leaf_hash(line), proof, checkpoint.root):
        report.message = f"record {index} is not in the signed tree: the record or its proof was altered"
        return report
    record, canonical = parse_canonical(line)
    if record is None or not canonical or record.get("seq") != index:
        report.message = f"the proven line is not record {index} in canonical form"
        return report
    report.record = record
    blobs = {str(k): base64.b64decode(v, validate=True) for k, v in dict(bundle.get("blobs", {})).items()}
    for digest in blob_names(record):
        data = blobs.get(digest)
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            report.message = f"blob {digest[:12]}… named by the record is {'missing' if data is None else 'altered'}"
            return report
        report.blobs.append(digest)
    if record.get("kind") == "model_request" and "body_sha256" in record:
        try:
            RequestReader(blobs.get).body(record)
        except RequestError as error:
            report.message = f"the request body cannot be rebuilt from the bundle: {error}"
            return report
        report.blobs = sorted(blobs)
    report.ok = True
    report.message = (
        f"proven: record {index} ({record.get('kind')}) is in the tree of {size} records signed by "
        f"{verifier.name} for {checkpoint.origin}; {len(report.blobs)} blob(s) match"
    )
    return report
