"""Content-addressed blob store: `<root>/<first two hex>/<sha256>`, written atomically and synced."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class BlobReader(Protocol):
    """Where a trace's blobs are read from (`BlobStore`, or a trace's `TraceBlobs`)."""

    def get(self, digest: str) -> bytes | None: ...


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its SHA-256; durable when this returns."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.parent.is_symlink():
            raise OSError(f"{target.parent} is a symbolic link; the blob store writes only real folders")
        fd, tmp = tempfile.mkstemp(prefix=".blob-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes | None:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            return None

    def check(self, digest: str) -> str | None:
        """None when the blob is present and hashes to its name; otherwise what is wrong."""
        return blob_problem(digest, self.get(digest))


def blob_problem(digest: str, data: bytes | None) -> str | None:
    """What is wrong with `data` as the blob named `digest` (missing, altered), or None."""
    if data is None:
        return f"blob {digest[:12]}… is missing"
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        return f"blob {digest[:12]}… was altered (its content hashes to {actual[:12]}…)"
    return None
