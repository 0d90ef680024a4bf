"""The trace writer: an EventBus subscriber that appends one signed, hash-chained JSONL trace per task.

Every record is canonical JSON (RFC 8785) on one line, hashed as an RFC 6962 leaf and chained to the
previous line by `prev`; it is flushed and fsync'd before `__call__` returns, so the action the event
announces happens only after its record is on disk. Signed checkpoints follow each model response and
each tool result, and a final one seals the task. A checkpoint is a C2SP signed note (agent/trace/note.py)
over the tree size and root; it has no time of its own, so every byte of it is fixed by the records
before it and its signature.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from agent import events as ev
from agent.trace.canonical import canonical_bytes, plain_canonical_bytes
from agent.trace.layout import FORMAT, ensure_state_dir, trace_path
from agent.trace.merkle import MerkleAccumulator, leaf_hash
from agent.trace.note import checkpoint_text, origin, sign_text
from agent.trace.packs import PackWriter, pack_path
from agent.trace.records import Record, RecordBuilder
from agent.trace.redaction import Redactor
from agent.trace.signing import SigningKey, load_signing_key

CHECKPOINT_AFTER = frozenset({"model_response", "tool_result"})


def checkpoint_message(task_id: str, checkpoint: dict[str, Any]) -> bytes:
    """What a `flambeau-trace/1` checkpoint's signature covers: the whole checkpoint record except the
    signature (seq, time, prev, tree size, root, final) and the task id (traces written before the
    C2SP notes; still verified)."""
    unsigned = {k: v for k, v in checkpoint.items() if k != "signature"}
    return plain_canonical_bytes({"checkpoint": unsigned, "task_id": task_id})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class TraceWriter:
    """Subscribe an instance to a session's EventBus; it writes `<workspace>/.flambeau/traces/<task_id>.jsonl`."""

    def __init__(self, workspace: Path, task_id: str, *, redactor: Redactor, key: SigningKey | None = None) -> None:
        ensure_state_dir(workspace)
        self.path = trace_path(workspace, task_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.task_id = task_id
        self.key = key or load_signing_key()
        self.blobs = PackWriter(pack_path(self.path))
        self.builder = RecordBuilder(self.blobs, redactor)
        self.tree = MerkleAccumulator()
        self.prev = ""
        self._handle: IO[bytes] | None = None
        self._pending_text: list[str] = []
        self._since_checkpoint = 0
        self.record_seconds = 0.0
        """Time spent writing records (for the latency benchmark)."""

    @classmethod
    def for_session(cls, workspace: Path, task_id: str, secret_values: set[str]) -> TraceWriter:
        return cls(workspace, task_id, redactor=Redactor.from_environment(secret_values))

    # -- the sink ---------------------------------------------------------------------------------
    def __call__(self, event: ev.Event) -> None:
        started = time.perf_counter()
        if isinstance(event, ev.TextDelta):
            self._pending_text.append(event.text)
            return
        self._flush_text()
        for record in self.builder.records(event):
            self.append(record)
            if record["kind"] in CHECKPOINT_AFTER:
                self._since_checkpoint += 1
        if isinstance(event, ev.TaskFinished | ev.TaskFailed):
            self.checkpoint(final=True)
            self.close()
        elif self._since_checkpoint and not self._more_coming(event):
            self.checkpoint(final=False)
        self.record_seconds += time.perf_counter() - started

    @staticmethod
    def _more_coming(event: ev.Event) -> bool:
        """A proposed call's approval and result follow at once; checkpoint at the step boundary instead."""
        return isinstance(event, ev.ToolCallProposed | ev.ModelRequest | ev.TaskStarted | ev.UserMessage)

    def _flush_text(self) -> None:
        if self._pending_text:
            text = "".join(self._pending_text)
            self._pending_text.clear()
            self.append(self.builder.redact.value({"kind": "assistant_text", "text": text}))

    # -- records ------------------------------------------------------------------------------------
    def append(self, payload: Record) -> None:
        if self.tree.size == 0:
            self._write(self._header())
        self._write(payload)

    def checkpoint(self, *, final: bool) -> None:
        if self.tree.size == 0:
            self._write(self._header())
        size, root = self.tree.size, self.tree.root()
        text = checkpoint_text(origin(self.key.private.public_key(), self.task_id), size, root)
        record = {"kind": "checkpoint", "seq": size, "prev": self.prev, "tree_size": size, "root": root.hex()}
        record["final"] = final
        record["note_signature"] = sign_text(self.key.private, text)
        self._append_line(record)
        self._since_checkpoint = 0

    def _header(self) -> Record:
        return {
            "kind": "trace_header",
            "format": FORMAT,
            "task_id": self.task_id,
            "public_key": self.key.public_id,
            "key_persisted": self.key.persisted,
            "hash": "sha256",
            "canonicalization": "RFC8785",
            "tree": "RFC6962",
        }

    def _stamp(self, payload: Record) -> dict[str, Any]:
        return {**payload, "seq": self.tree.size, "time": now_iso(), "prev": self.prev}

    def _write(self, payload: Record) -> None:
        self._append_line(self._stamp(payload))

    def _append_line(self, record: dict[str, Any]) -> None:
        line = canonical_bytes(record)
        handle = self._open()
        handle.write(line + b"\n")
        handle.flush()
        _sync(handle.fileno())
        leaf = leaf_hash(line)
        self.tree.append(leaf)
        self.prev = leaf.hex()

    def _open(self) -> IO[bytes]:
        if self._handle is None:
            created = not self.path.exists()
            self._handle = open(self.path, "ab")  # noqa: SIM115 - kept open across records, closed at task end
            if created:
                _sync_directory(self.path.parent)
        return self._handle

    def close(self) -> None:
        self.blobs.close()
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _sync(fd: int) -> None:
    """Data and size on disk (fdatasync where the OS has it: the size is the metadata that matters)."""
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)


def _sync_directory(folder: Path) -> None:
    """Make a new file's directory entry durable too."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
