"""What a trace's records name outside the trace file, checked: every blob hashes to its name, and
every request body rebuilt from its manifest is the one the record states.

On a long trace this is about a third of `verify`'s time and needs nothing from the record pass (hash
chain, canonical form, Merkle roots) but the lines themselves. So on a large trace, in a process with
no other threads, it runs in a forked child on the other core while the parent does the record pass;
otherwise inline, after it. Both give the same answer: the first failure in record order, which
`verify` merges with its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections.abc import Sequence
from typing import Any

import orjson

from agent.trace.packs import TraceBlobs
from agent.trace.requests import RequestError, RequestReader

Failure = tuple[int, str]
"""(seq of the record, what is wrong with what it names)."""

FORK_FROM = 20_000
"""Lines from which forking pays for itself (a fork costs a few milliseconds; the check ~3 us a line)."""


class BlobChecker:
    """Checks each blob once, and rebuilds each request body from its manifest."""

    def __init__(self, blobs: TraceBlobs) -> None:
        self.blobs = blobs
        self.checked: set[str] = set()
        self.requests = RequestReader(self._request_part)

    def problem(self, record: dict[str, Any]) -> str | None:
        for name, value in record.items():
            if name.endswith("_blob") and value not in self.checked:
                problem = self.blobs.check(str(value))
                if problem:
                    return f"{name}: {problem}"
                self.checked.add(str(value))
        if record.get("kind") == "model_request" and "body_sha256" in record:
            try:
                self.requests.body(record)
            except RequestError as error:
                return f"request body: {error}"
        return None

    def first_failure(
        self, lines: Sequence[bytes], records: Sequence[dict[str, Any] | None] | None, end: int
    ) -> Failure | None:
        """The first record before `end` whose blobs fail; `records`: the lines parsed, if they are."""
        for seq in range(min(end, len(lines))):
            line = lines[seq]
            if b'_blob"' not in line:
                continue
            record = records[seq] if records is not None else _parse(line)
            if record is None:
                continue  # the record pass reports the line itself
            problem = self.problem(record)
            if problem:
                return seq, problem
        return None

    def _request_part(self, digest: str) -> bytes | None:
        if digest not in self.checked:
            problem = self.blobs.check(digest)
            if problem:
                raise RequestError(problem)
            self.checked.add(digest)
        return self.blobs.get(digest)


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


class PendingCheck:
    """The blob check of one trace, started before the record pass and read after it."""

    def __init__(self, lines: Sequence[bytes], blobs: TraceBlobs, parallel: bool | None) -> None:
        self.lines = lines
        self.checker = BlobChecker(blobs)
        self._child: tuple[int, int] | None = None  # (pid, read end of its pipe)
        if parallel is None:
            parallel = len(lines) >= FORK_FROM and threading.active_count() == 1
        if parallel and hasattr(os, "fork"):
            self._child = self._fork()

    def _fork(self) -> tuple[int, int] | None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return None
        if pid == 0:  # the child: only hashing and parsing, then out without any cleanup of the parent's
            code = 1
            try:
                os.close(read)
                found = self.checker.first_failure(self.lines, None, len(self.lines))
                os.write(write, json.dumps(found).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return pid, read

    def result(self, end: int, records: Sequence[dict[str, Any] | None]) -> Failure | None:
        """The first failure before record `end` (the child's answer, or the check done here if it
        gave none); `records`: the lines as the record pass parsed them."""
        answer = self._collect()
        if answer is not None:
            found = answer[0]
            return (int(found[0]), str(found[1])) if found is not None and found[0] < end else None
        return self.checker.first_failure(self.lines, records, end)

    def cancel(self) -> None:
        if self._child is not None:
            pid, read = self._child
            self._child = None
            os.close(read)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def _collect(self) -> tuple[list[Any] | None] | None:
        """(the child's failure or None,), or None when there was no child or it died without answering."""
        if self._child is None:
            return None
        pid, read = self._child
        self._child = None
        chunks = []
        try:
            while chunk := os.read(read, 65536):
                chunks.append(chunk)
        finally:
            os.close(read)
            _, status = os.waitpid(pid, 0)
        if status != 0 or not chunks:
            return None
        try:
            return (json.loads(b"".join(chunks)),)
        except ValueError:
            return None
