"""A trace's blobs in one append-only pack file, `.flambeau/blobs/<task id>.pack`.

Each entry is `<sha256 hex> <length>\\n<bytes>\\n`, appended with one write and synced before the record
that names it. One file per trace instead of one per blob: verifying reads it in one go instead of
opening tens of thousands of files, and small blobs do not each take a disk block. A torn last entry
(a kill during the write) is ignored: no record names it yet. Traces written before the packs keep
their blobs as loose files (`blobs/<ab>/<sha256>`), which `TraceBlobs` still reads.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from agent.trace.blobs import BlobStore, blob_problem
from agent.trace.folders import TraceFolders
from agent.trace.layout import blobs_dir_for

PACK_SUFFIX = ".pack"
_HEX = frozenset("0123456789abcdef")
_HEADER = re.compile(rb"([0-9a-f]{64}) ([0-9]{1,15})\n")


_sha256 = hashlib.sha256


def _sync(fd: int) -> None:
    getattr(os, "fdatasync", os.fsync)(fd)


def pack_path(trace: Path) -> Path:
    return blobs_dir_for(trace) / (trace.name.removesuffix(".jsonl") + PACK_SUFFIX)


class PackWriter:
    """Appends blobs to one trace's pack, each once, through a handle opened relative to the blob folder
    (agent/trace/folders.py): a link put in the folder's place cannot redirect it."""

    def __init__(self, folders: TraceFolders, name: str) -> None:
        self.folders = folders
        self.name = name
        self.known: set[str] = set()
        self._fd: int | None = None

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its SHA-256; durable when this returns."""
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.known:
            return digest
        fd = self._open()
        os.write(fd, b"%s %d\n%s\n" % (digest.encode("ascii"), len(data), data))
        _sync(fd)
        self.known.add(digest)
        return digest

    def _open(self) -> int:
        if self._fd is None:
            fd, created = self.folders.open_append(self.folders.blobs, self.name)
            if not created:
                self.known |= set(parse_pack(_read_all(fd)))
            self._fd = fd
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_all(fd: int) -> bytes:
    chunks, at = [], 0
    while chunk := os.pread(fd, 1 << 20, at):
        chunks.append(chunk)
        at += len(chunk)
    return b"".join(chunks)


def parse_pack(data: bytes) -> dict[str, tuple[int, int]]:
    """digest -> (start, end) of its bytes in `data`; stops at the first entry that is not whole."""
    index: dict[str, tuple[int, int]] = {}
    at, size, header = 0, len(data), _HEADER.match
    while at < size:
        found = header(data, at)
        if found is None:
            break
        start = found.end()
        end = start + int(found[2])
        if end >= size or data[end] != 0x0A:
            break
        index.setdefault(found[1].decode("ascii"), (start, end))
        at = end + 1
    return index


def read_index(path: Path) -> dict[str, tuple[int, int]]:
    try:
        return parse_pack(path.read_bytes())
    except FileNotFoundError:
        return {}


class TraceBlobs:
    """The blobs of one trace: its pack first, then the loose store (older traces)."""

    def __init__(self, trace: Path) -> None:
        self.loose = BlobStore(blobs_dir_for(trace))
        self.pack = pack_path(trace)
        self._data: bytes | None = None
        self._index: dict[str, tuple[int, int]] = {}

    def _load(self) -> None:
        if self._data is None:
            try:
                self._data = self.pack.read_bytes()
            except FileNotFoundError:
                self._data = b""
            self._index = parse_pack(self._data)

    def get(self, digest: str) -> bytes | None:
        self._load()
        found = self._index.get(digest)
        if found is not None and self._data is not None:
            return self._data[found[0] : found[1]]
        if len(digest) != 64 or not _HEX.issuperset(digest):
            return None
        return self.loose.get(digest)

    def check(self, digest: str) -> str | None:
        """None when the blob is present and hashes to its name; otherwise what is wrong."""
        self._load()
        found = self._index.get(digest)
        data = self._data
        if (
            found is not None
            and data is not None
            and _sha256(memoryview(data)[found[0] : found[1]]).hexdigest() == digest
        ):
            return None  # the common case, without a copy
        if len(digest) != 64 or not _HEX.issuperset(digest):
            return f"not a SHA-256 hex digest: {digest!r}"
        return blob_problem(digest, self.get(digest))

    def total_bytes(self) -> int:
        """Bytes on disk of the pack (the loose store is shared between traces)."""
        try:
            return self.pack.stat().st_size
        except FileNotFoundError:
            return 0
