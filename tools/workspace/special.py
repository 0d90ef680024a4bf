"""Only regular files are opened: a FIFO would block the reader forever, a socket or a device would talk
to another program. Every reader of workspace files (read, search, outline, the repo map, @-mentions,
ignore and rules files) goes through `read_regular`, which checks the type before opening and again on
the open descriptor, so a file swapped for a FIFO in between cannot block it either."""

from __future__ import annotations

import os
import stat
from pathlib import Path

KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(OSError):
    """The path is a FIFO, socket or device; an `OSError`, so readers that skip unreadable files skip it."""

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(f"{os.fspath(path)} is {kind}, not a regular file")
        self.kind = kind
        self.path = os.fspath(path)


def special_kind(mode: int) -> str | None:
    """What a file of `mode` is when it is neither a regular file, a directory nor a symlink; else None."""
    for test, kind in KINDS:
        if test(mode):
            return kind
    return None


def refusal(rel: str, kind: str) -> str:
    """What the model is told about a special file it asked to read."""
    return f"{rel} is {kind}, not a regular file; it was not opened (reading it could block or reach another program)"


def check_path(path: str | os.PathLike[str]) -> str | None:
    """The special kind of `path` (symlinks followed), or None for anything else, missing files included."""
    try:
        return special_kind(os.stat(path).st_mode)
    except OSError:
        return None


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of the regular file `path` (at most `limit`); raises `NotRegularFile` for a FIFO, socket
    or device, `IsADirectoryError` for a folder, and the usual `OSError`s otherwise."""
    kind = check_path(path)
    if kind is not None:
        raise NotRegularFile(path, kind)
    # O_NONBLOCK: opening a FIFO put in place since the check returns at once instead of waiting for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", os.fspath(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, special_kind(mode) or "not a regular file")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            return handle.read() if limit is None else handle.read(limit)
    finally:
        if fd >= 0:
            os.close(fd)


def read_regular_text(path: Path, limit: int | None = None) -> str:
    return read_regular(path, limit).decode("utf-8", errors="replace")


def refuse_special(path: Path, rel: str) -> None:
    """Raise the tool error that tells the model `rel` is a FIFO, socket or device, when it is one."""
    kind = check_path(path)
    if kind is not None:
        from tools.base import ToolError

        raise ToolError(refusal(rel, kind))
