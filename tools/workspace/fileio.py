"""Reading and writing workspace files safely: editor buffers first, atomic writes, modes kept."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from pathlib import Path

from tools.base import FileChange, ToolContext, sha256_bytes
from tools.workspace.special import NotRegularFile, read_regular, refusal

BINARY_SNIFF_BYTES = 8192


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def current_bytes(path: Path, ctx: ToolContext) -> bytes | None:
    """The content the user sees: the editor buffer if open, else the file on disk, else None."""
    if ctx.documents is not None:
        text = ctx.documents.open_text(path)
        if text is not None:
            return text.encode("utf-8")
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except NotRegularFile as error:
        from tools.base import ToolError

        rel = ctx.workspace.relative(path) if path.is_relative_to(ctx.workspace.root) else str(path)
        raise ToolError(refusal(rel, error.kind)) from None


def remember_read(ctx: ToolContext, rel: str, data: bytes) -> None:
    ctx.read_hashes[rel] = sha256_bytes(data)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary sibling and a rename, keeping the file mode."""
    mode: int | None = None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".flambeau-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        else:
            os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def unified_diff(rel: str, before: bytes | None, after: bytes | None, context: int = 3) -> str:
    a = (before or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    b = (after or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(
        a, b, fromfile=f"a/{rel}" if before is not None else "/dev/null", tofile=f"b/{rel}", n=context
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


async def commit_bytes(path: Path, rel: str, before: bytes | None, after: bytes, ctx: ToolContext) -> FileChange:
    """Put `after` in place: through the editor when the file is open there, else atomically on disk.

    Raises `ToolError` when the editor rejects the edit, so the model hears about it.
    """
    from tools.base import ToolError

    if ctx.documents is not None and ctx.documents.open_text(path) is not None:
        # Open buffers are text the editor gave us as UTF-8; closed files may be in any encoding.
        applied = await ctx.documents.apply_text(path, after.decode("utf-8"))
        if applied is False:
            raise ToolError(f"the editor rejected the edit to {rel}; the file is unchanged")
        if applied is None:
            atomic_write(path, after)
    else:
        atomic_write(path, after)
    remember_read(ctx, rel, after)
    return FileChange(
        path=rel,
        sha256_before=sha256_bytes(before) if before is not None else None,
        sha256_after=sha256_bytes(after),
        diff=unified_diff(rel, before, after),
        after_content=after,
    )
