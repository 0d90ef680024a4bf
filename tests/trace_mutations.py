"""Tampering with recorded traces the way an adversary would, for the mutation suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.trace.canonical import canonical_bytes
from agent.trace.merkle import MerkleAccumulator, leaf_hash
from agent.trace.note import checkpoint_text, origin, sign_text
from agent.trace.packs import TraceBlobs
from agent.trace.requests import RequestReader
from agent.trace.signing import public_key_id


def read_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert data.endswith(b"\n")
    return data[:-1].split(b"\n")


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def line_index_of_offset(data: bytes, offset: int) -> int:
    """The record a byte belongs to (a line's newline belongs to that line)."""
    return data.count(b"\n", 0, offset)


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in read_lines(path)]


def blob_first_uses(path: Path) -> dict[str, int]:
    """Every blob of a trace and the record that first names it (a request's parts: its record)."""
    blobs = TraceBlobs(path)
    first_use: dict[str, int] = {}
    for record in records(path):
        for name, value in record.items():
            if name.endswith("_blob"):
                first_use.setdefault(value, record["seq"])
        if record["kind"] == "model_request" and "body_sha256" in record:
            reader = RequestReader(blobs.get)
            reader.body(record)
            for digest in sorted(reader.blobs_read):
                first_use.setdefault(digest, record["seq"])
    return first_use


def signature_field(record: dict[str, Any]) -> str:
    return "note_signature" if "note_signature" in record else "signature"


def checkpoint_indexes(path: Path) -> list[int]:
    return [i for i, r in enumerate(records(path)) if r["kind"] == "checkpoint"]


def set_field(line: bytes, name: str, value: Any) -> bytes:
    record = json.loads(line)
    record[name] = value
    return canonical_bytes(record)


def resign(path: Path, key: Ed25519PrivateKey, edit: dict[int, dict[str, Any]] | None = None) -> None:
    """Rewrite a whole trace consistently under `key` (optionally editing records): what an attacker
    holding some signing key, but not the author's, can produce."""
    originals = records(path)
    task_id = originals[0]["task_id"]
    tree = MerkleAccumulator()
    prev = ""
    out: list[bytes] = []
    for record in originals:
        record = {**record, **(edit or {}).get(record["seq"], {}), "prev": prev}
        if record["kind"] == "trace_header":
            record["public_key"] = public_key_id(key.public_key())
        if record["kind"] == "checkpoint":
            record["root"] = tree.root().hex()
            text = checkpoint_text(origin(key.public_key(), task_id), tree.size, tree.root())
            record["note_signature"] = sign_text(key, text)
        line = canonical_bytes(record)
        out.append(line)
        leaf = leaf_hash(line)
        tree.append(leaf)
        prev = leaf.hex()
    write_lines(path, out)
