"""What a signed checkpoint record must look like in each trace format, and its note text.

`flambeau-trace/2`: a C2SP signed note (agent/trace/note.py) over origin, tree size and root; the
record holds exactly `kind, seq, prev, tree_size, root, final, note_signature`, and `final` is true
exactly when the record before it is the `task_end`.
`flambeau-trace/1`: Ed25519 in hex over the canonical JSON of the record and the task id.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from agent.trace.layout import FORMAT, FORMAT_V1
from agent.trace.note import (
    Verifier,
    checkpoint_text,
    format_note,
    key_name,
    origin,
    parse_verifier_key,
    signature_verifies,
)
from agent.trace.reading import TraceError, read_trace
from agent.trace.signing import verify_signature
from agent.trace.writer import checkpoint_message

BAD_SIGNATURE = "checkpoint signature does not verify with the key in the trace header"
NOTE_FIELDS = frozenset({"kind", "seq", "prev", "tree_size", "root", "final", "note_signature"})
SIGNATURE_HEX = re.compile(r"[0-9a-f]{128}")


class CheckpointRule(Protocol):
    signs_prev: bool
    """The signature covers the record's `prev` itself (not only through the root)."""

    def malformed(self, record: dict[str, Any], previous_kind: str) -> str | None:
        """What is wrong with the record's shape (cheap checks), or None."""

    def signature_ok(self, public_key: str, task_id: str, record: dict[str, Any]) -> bool: ...


@lru_cache(maxsize=16)
def _verifier(public_key: str) -> Verifier:
    return parse_verifier_key(public_key)


def note_text(public_key: str, task_id: str, record: dict[str, Any]) -> bytes:
    verifier = _verifier(public_key)
    return checkpoint_text(origin(verifier.key, task_id), int(record["tree_size"]), bytes.fromhex(record["root"]))


def checkpoint_note(public_key: str, task_id: str, record: dict[str, Any]) -> str:
    """The whole signed note of a `flambeau-trace/2` checkpoint record."""
    verifier = _verifier(public_key)
    return format_note(note_text(public_key, task_id, record), key_name(verifier.key), record["note_signature"])


def signed_note(path: Path, seq: int | None = None) -> str:
    """The checkpoint at `seq` (default: the last) of a `flambeau-trace/2` trace, as its signed note."""
    raw = read_trace(path)
    header = raw.header
    if header.get("format") != FORMAT:
        raise TraceError(f"{path} was written as {header.get('format')}: its checkpoints are not signed notes")
    found = [r for r in raw.records if r is not None and r.get("kind") == "checkpoint"]
    if seq is not None:
        found = [r for r in found if r.get("seq") == seq]
    if not found:
        where = f"at record {seq}" if seq is not None else "in it"
        raise TraceError(f"{path} has no checkpoint {where}; 'flambeau trace show' lists its records")
    try:
        return checkpoint_note(str(header["public_key"]), str(header["task_id"]), found[-1])
    except (KeyError, TypeError, ValueError) as error:
        problem = f"the checkpoint of {path} is malformed ({error!r}); 'flambeau trace verify' says more"
        raise TraceError(problem) from error


class NoteCheckpoints:
    signs_prev = False

    def malformed(self, record: dict[str, Any], previous_kind: str) -> str | None:
        if record.get("kind") != "checkpoint" or set(record) != NOTE_FIELDS:
            return f"a signed record must hold exactly {', '.join(sorted(NOTE_FIELDS))}"
        if record["final"] is not (previous_kind == "task_end"):
            return "checkpoint says final but does not follow the task end (or the reverse)"
        # The root is compared with the recomputed one; the signature's spelling is decoded strictly when
        # it is verified (an earlier checkpoint's bytes are fixed by the later root that covers it).
        return None if isinstance(record["note_signature"], str) else BAD_SIGNATURE

    def signature_ok(self, public_key: str, task_id: str, record: dict[str, Any]) -> bool:
        try:
            text = note_text(public_key, task_id, record)
        except (KeyError, TypeError, ValueError):
            return False
        return signature_verifies(_verifier(public_key), text, str(record.get("note_signature")))


class JsonCheckpoints:
    signs_prev = True

    def malformed(self, record: dict[str, Any], previous_kind: str) -> str | None:
        if record.get("kind") != "checkpoint":
            return "a signed record must be a checkpoint"
        signature = record.get("signature")
        if not isinstance(signature, str) or not SIGNATURE_HEX.fullmatch(signature):
            return BAD_SIGNATURE  # only the writer's spelling: lowercase hex (no equivalent variant verifies)
        return None

    def signature_ok(self, public_key: str, task_id: str, record: dict[str, Any]) -> bool:
        signature = record.get("signature")
        if not isinstance(signature, str) or not SIGNATURE_HEX.fullmatch(signature):
            return False
        return verify_signature(public_key, signature, checkpoint_message(task_id, record))


RULES: dict[str, CheckpointRule] = {FORMAT: NoteCheckpoints(), FORMAT_V1: JsonCheckpoints()}


def rule_for(trace_format: Any) -> CheckpointRule | None:
    return RULES.get(trace_format) if isinstance(trace_format, str) else None
