"""The trace writer's folders, opened once and never by name again.

`.flambeau/`, `traces/` and `blobs/` are opened (or made) one component at a time from a handle on the
workspace, never following a symbolic link; every file is then opened relative to those handles with
`O_NOFOLLOW`. A command that swaps a folder for a link mid-task cannot redirect a write: the writer
keeps writing into the folders it checked, and `displaced()` says which one was replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import weakref
from pathlib import Path

from agent.trace.layout import BLOBS_DIR, GITIGNORE, STATE_DIR, TRACES_DIR, UnsafeStateDir

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
APPEND_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
"""O_NONBLOCK: a FIFO planted under a trace's name fails at once instead of blocking the session."""


class TraceFolders:
    """Handles on `<workspace>/.flambeau`, its `traces/` and `blobs/`; close() releases them."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = Path(workspace)
        self._fds: dict[str, int] = {}
        self._ids: dict[str, tuple[int, int]] = {}
        self._release = weakref.finalize(self, _close_all, self._fds)
        root = os.open(self.workspace, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            state = self._open_folder(root, STATE_DIR, STATE_DIR)
            for name in (TRACES_DIR, BLOBS_DIR):
                self._open_folder(state, name, f"{STATE_DIR}/{name}")
        except BaseException:
            self.close()
            raise
        finally:
            os.close(root)
        self._write_gitignore()

    def _open_folder(self, parent: int, name: str, label: str) -> int:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o700, dir_fd=parent)
        try:
            fd = os.open(name, DIR_FLAGS, dir_fd=parent)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                raise UnsafeStateDir(
                    f"{self.workspace / label} is a symbolic link or not a folder; remove it so Flambeau can write "
                    "its trace inside the project"
                ) from error
            raise
        info = os.fstat(fd)
        self._fds[label], self._ids[label] = fd, (info.st_dev, info.st_ino)
        return fd

    def _write_gitignore(self) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(".gitignore", flags, 0o644, dir_fd=self._fds[STATE_DIR])
        except FileExistsError:
            return  # the user's own, or a link: left alone either way
        try:
            os.write(fd, GITIGNORE.encode("utf-8"))
        finally:
            os.close(fd)

    @property
    def traces(self) -> int:
        return self._fds[f"{STATE_DIR}/{TRACES_DIR}"]

    @property
    def blobs(self) -> int:
        return self._fds[f"{STATE_DIR}/{BLOBS_DIR}"]

    def open_append(self, folder: int, name: str) -> tuple[int, bool]:
        """A regular file in `folder` opened for appending (and reading), and whether it was created."""
        try:
            fd = os.open(name, APPEND_FLAGS | os.O_EXCL, 0o600, dir_fd=folder)
            created = True
        except FileExistsError:
            fd = os.open(name, APPEND_FLAGS, 0o600, dir_fd=folder)
            created = False
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, f"{name} in the trace folder is not a regular file")
        os.set_blocking(fd, True)
        if created:
            os.fsync(folder)
        return fd, created

    def displaced(self) -> str | None:
        """Which folder's name no longer leads to the folder opened at the start (and what it is now), or None."""
        for label, (device, inode) in self._ids.items():
            path = self.workspace / label
            try:
                info = os.lstat(path)
            except OSError:
                return f"{path} was removed"
            if (info.st_dev, info.st_ino) != (device, inode):
                now = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "another file or folder"
                return f"{path} was replaced by {now}"
        return None

    def close(self) -> None:
        self._release()


def _close_all(fds: dict[str, int]) -> None:
    for fd in fds.values():
        os.close(fd)
    fds.clear()
