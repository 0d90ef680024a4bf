"""Ending every process a stdio MCP server started, grandchildren included.

The SDK closes a server's stdin and, if it does not exit, ends its process group; a server that exits
politely can still leave children behind (a `npx` wrapper's node, a helper it spawned in another
group). Each server is started with a marker in its environment, which its descendants inherit; on
close, every process still carrying the marker is sent SIGTERM, then SIGKILL. Linux (`/proc`) only;
elsewhere the SDK's process-group shutdown is all there is.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from pathlib import Path

MARKER_VARIABLE = "FLAMBEAU_MCP_SERVER"
GRACE_S = 2.0
POLL_S = 0.05


def new_marker() -> str:
    return uuid.uuid4().hex


def marked_processes(marker: str) -> list[int]:
    """Pids of this user's processes whose environment carries `marker`."""
    needle = f"{MARKER_VARIABLE}={marker}".encode()
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone, or another user's
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


async def reap(marker: str, grace_s: float = GRACE_S) -> list[int]:
    """SIGTERM every marked process, SIGKILL those alive after `grace_s`; returns the pids signalled."""
    pids = await asyncio.to_thread(marked_processes, marker)
    if not pids:
        return []
    _signal(pids, signal.SIGTERM)
    deadline = asyncio.get_running_loop().time() + grace_s
    while asyncio.get_running_loop().time() < deadline:
        alive = await asyncio.to_thread(marked_processes, marker)
        if not alive:
            return pids
        await asyncio.sleep(POLL_S)
    _signal(await asyncio.to_thread(marked_processes, marker), signal.SIGKILL)
    return pids


def _signal(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            continue
