"""Looking at live processes from tests, by reading /proc."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def live_group_members(pgid: int) -> list[int]:
    """PIDs in process group `pgid` that are still running (zombies count as dead)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return members


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def host_pids_running(marker: str) -> list[int]:
    """PIDs (as the host sees them) of live processes with `marker` in their command line; a sandboxed
    command's own `$$` and `$!` are numbers in its PID namespace, so tests find its processes this way."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found
