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
from typing import Any

from agent import events as ev
from agent.errors import AgentExit
from agent.trace.canonical import canonical_bytes, plain_canonical_bytes
from agent.trace.folders import TraceFolders
from agent.trace.layout import FORMAT, trace_path
from agent.trace.merkle import MerkleAccumulator, leaf_hash
from agent.trace.note import checkpoint_text, format_note, key_name, origin, sign_text
from agent.trace.packs import PACK_SUFFIX, PackWriter
from agent.trace.records import Record, RecordBuilder
from agent.trace.redaction import Redactor
from agent.trace.signing import SigningKey, load_signing_key
from agent.trace.witness import Witnessed, witness, witness_path

CHECKPOINT_AFTER = frozenset({"model_response", "tool_result"})
BETWEEN_TURNS = (ev.CheckpointRestored, ev.ModeChanged, ev.ContextCondensed, ev.CondenseFailed)
"""What a person may do to an ended task; recorded at once, and the trace is sealed again after it."""


class TraceUnsafe(AgentExit):
    """The trace can no longer be written where it belongs; the task ends with this message."""


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
        self.path = trace_path(workspace, task_id)
        self.workspace = Path(os.path.realpath(workspace))
        self.folders = TraceFolders(workspace)
        self.task_id = task_id
        self.key = key or load_signing_key()
        self.blobs = PackWriter(self.folders, task_id + PACK_SUFFIX)
        self.builder = RecordBuilder(self.blobs, redactor)
        self.tree = MerkleAccumulator()
        self.prev = ""
        self._fd: int | None = None
        self.problem: str | None = None
        """Why the trace could not be written where it belongs (a folder swapped mid-task, a failed write)."""
        self._problem_told = False
        self._pending_text: list[str] = []
        self._since_checkpoint = 0
        self.record_seconds = 0.0
        """Time spent writing records (for the latency benchmark)."""
        self.header_fields: dict[str, Any] = {}
        """Added to the trace header, e.g. the containment in force (agent/runner.py)."""
        self.sealed_end: Record | None = None
        """The task end the trace is sealed after (None while the task runs)."""

    @classmethod
    def reopen(cls, path: Path, workspace: Path, key: SigningKey | None = None) -> TraceWriter:
        """A writer that appends to the sealed trace at `path` (a task that ended in an earlier server), with
        the key that signed it; `TraceUnsafe` when it is not sealed or another key signed it."""
        from agent.trace.reading import read_trace

        raw = read_trace(path)
        records = raw.valid_records()
        header = raw.header
        task_id = str(header.get("task_id") or "")
        if raw.torn_tail or not records or records[-1].get("kind") != "checkpoint" or not records[-1].get("final"):
            raise TraceUnsafe(f"the trace {path} is not sealed; only an ended task's trace can be added to")
        writer = cls(workspace, task_id, redactor=Redactor.from_environment(set()), key=key)
        if writer.path != path or header.get("public_key") != writer.key.public_id:
            raise TraceUnsafe(f"the trace {path} was not written here with this machine's key; it is left as it is")
        for line in raw.lines:
            writer.prev = leaf_hash(line).hex()
            writer.tree.append(bytes.fromhex(writer.prev))
        writer.sealed_end = next(
            {k: v for k, v in r.items() if k not in ("seq", "time", "prev", "restated")}
            for r in reversed(records)
            if r.get("kind") == "task_end"
        )
        return writer

    @classmethod
    def for_session(
        cls, workspace: Path, task_id: str, secret_values: set[str], key: SigningKey | None = None
    ) -> TraceWriter:
        return cls(workspace, task_id, redactor=Redactor.from_environment(secret_values), key=key)

    # -- the sink ---------------------------------------------------------------------------------
    def __call__(self, event: ev.Event) -> None:
        started = time.perf_counter()
        if isinstance(event, ev.TextDelta):
            self._pending_text.append(event.text)
            return
        ending = isinstance(event, ev.TaskFinished | ev.TaskFailed)
        try:
            self._record(event, ending)
        except OSError as error:
            self.problem = self.problem or f"the trace {self.path} could not be written: {error}"
            if ending:
                self.close()
        finally:
            self.record_seconds += time.perf_counter() - started
        self._stop_if_unsafe(event, ending)

    def _record(self, event: ev.Event, ending: bool) -> None:
        self._flush_text()
        sealed_end, self.sealed_end = self.sealed_end, None
        records = self.builder.records(event)
        for record in records:
            self.append(record)
            if record["kind"] in CHECKPOINT_AFTER:
                self._since_checkpoint += 1
        if ending:
            self.sealed_end = next((r for r in records if r["kind"] == "task_end"), None)
            self.checkpoint(final=True)
            self.close()
        elif sealed_end is not None and _side_call(event):
            self.sealed_end = sealed_end  # the model call of a condensation between turns: sealed after it
        elif sealed_end is not None and isinstance(event, BETWEEN_TURNS):
            # A final checkpoint follows a task end (agent/trace/checkpoints.py): the end is restated, marked so.
            self.append({**sealed_end, "restated": True})
            self.sealed_end = sealed_end
            self.checkpoint(final=True)
            self.close()
        elif self._since_checkpoint and not self._more_coming(event):
            self.checkpoint(final=False)

    def _stop_if_unsafe(self, event: ev.Event, ending: bool) -> None:
        """End the task (once) when its trace is no longer where it belongs. Not from the task's own end,
        nor from a request body (litellm calls that sink and would swallow the error): the next event."""
        if self.problem is None:
            displaced = self.folders.displaced()
            if displaced is not None:
                self.problem = (
                    f"{displaced} during the task; the trace writer keeps writing only into the folders it "
                    "opened at the start, never through the replacement"
                )
        if self.problem is None or self._problem_told or ending or isinstance(event, ev.ModelRequest):
            return
        self._problem_told = True
        raise TraceUnsafe(f"the task stops because its trace is at risk: {self.problem}")

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
        public = self.key.private.public_key()
        text = checkpoint_text(origin(public, self.task_id), size, root)
        record = {"kind": "checkpoint", "seq": size, "prev": self.prev, "tree_size": size, "root": root.hex()}
        signature = sign_text(self.key.private, text)
        record["final"] = final
        record["note_signature"] = signature
        if final:
            self._witness(size, root, format_note(text, key_name(public), signature))
        self._append_line(record)
        self._since_checkpoint = 0

    def _witness(self, size: int, root: bytes, note: str) -> None:
        """The final checkpoint goes to the witness log first (agent/trace/witness.py says why first)."""
        entry = Witnessed(
            trace_id=self.task_id,
            workspace=str(self.workspace),
            trace=str(self.path),
            tree_size=size,
            root=root.hex(),
            key=self.key.public_id,
            note=note,
            time=now_iso(),
        )
        try:
            witness(entry)
        except OSError as error:
            self.problem = self.problem or (
                f"the final checkpoint could not be added to the witness log {witness_path()}: {error}; "
                "'flambeau trace verify' will not call this trace intact"
            )

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
            **self.header_fields,
        }

    def _stamp(self, payload: Record) -> dict[str, Any]:
        return {**payload, "seq": self.tree.size, "time": now_iso(), "prev": self.prev}

    def _write(self, payload: Record) -> None:
        self._append_line(self._stamp(payload))

    def _append_line(self, record: dict[str, Any]) -> None:
        line = canonical_bytes(record)
        fd = self._open()
        _write_all(fd, line + b"\n")
        _sync(fd)
        leaf = leaf_hash(line)
        self.tree.append(leaf)
        self.prev = leaf.hex()

    def _open(self) -> int:
        if self._fd is None:
            self._fd, _ = self.folders.open_append(self.folders.traces, self.path.name)
        return self._fd

    def close(self) -> None:
        """Release the files (a follow-up in the same session opens them again through the same folders)."""
        self.blobs.close()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _side_call(event: ev.Event) -> bool:
    """A model call that is not a step of the task (a summary, a commit message)."""
    return isinstance(event, ev.ModelRequest | ev.Usage) and event.role != "main"


def _sync(fd: int) -> None:
    """Data and size on disk (fdatasync where the OS has it: the size is the metadata that matters)."""
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
