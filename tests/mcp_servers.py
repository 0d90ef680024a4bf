"""Real MCP servers for the tests: `mcp-server-time` (PyPI, a dev extra) and
`@modelcontextprotocol/server-everything` (npm), installed once into a cache folder
(`FLAMBEAU_MCP_CACHE`, default `.mcp-test-servers/` in the checkout) by `make mcp-test-servers` or by the
first test that needs it; `python -m tests.mcp_servers` installs it by hand.

server-everything's HTTP transports listen on every interface; the tests preload
`tests/mcp_loopback.cjs` into node so that it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.processes import wait_until

ROOT = Path(__file__).resolve().parent.parent
EVERYTHING = "@modelcontextprotocol/server-everything"
EVERYTHING_VERSION = "2026.8.31"
LOOPBACK_PRELOAD = ROOT / "tests" / "mcp_loopback.cjs"
HOSTILE = ROOT / "tests" / "mcp_hostile_server.py"


def cache_dir() -> Path:
    return Path(os.environ.get("FLAMBEAU_MCP_CACHE") or ROOT / ".mcp-test-servers")


def everything_entry() -> Path:
    """server-everything's `dist/index.js`, installed from npm into the cache on first use."""
    cache = cache_dir()
    entry = cache / "node_modules" / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"
    if entry.is_file():
        return entry
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install the MCP test server server-everything; install Node.js 20+")
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not entry.is_file():
            (cache / "package.json").write_text(json.dumps({"private": True, "name": "flambeau-mcp-test-servers"}))
            subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(cache),
                 f"{EVERYTHING}@{EVERYTHING_VERSION}"],
                check=True, timeout=600,
            )  # fmt: skip
    return entry


def everything_stdio() -> dict[str, object]:
    """An mcp.json entry that starts server-everything over stdio."""
    node = shutil.which("node") or "node"
    return {"command": node, "args": [str(everything_entry()), "stdio"]}


def time_stdio() -> dict[str, object]:
    """An mcp.json entry that starts mcp-server-time over stdio (UTC as its local zone)."""
    return {"command": sys.executable, "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"]}


def hostile_stdio(mode: str, *extra: str) -> dict[str, object]:
    return {"command": sys.executable, "args": [str(HOSTILE), mode, *extra]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def everything_http(transport: str = "streamableHttp") -> Iterator[str]:
    """server-everything over streamable HTTP (or `sse`) on 127.0.0.1; yields its endpoint URL."""
    with everything_http_process(transport) as (url, _process):
        yield url


@contextlib.contextmanager
def everything_http_process(transport: str = "streamableHttp") -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`everything_http`, yielding the server's process too (the leader of its own process group)."""
    entry = everything_entry()
    port = free_port()
    command = [shutil.which("node") or "node", "--require", str(LOOPBACK_PRELOAD), str(entry), transport]
    with listening(command, port, f"server-everything ({transport})", env={**os.environ, "PORT": str(port)}) as process:
        yield f"http://127.0.0.1:{port}/{'sse' if transport == 'sse' else 'mcp'}", process


@contextlib.contextmanager
def listening(
    command: list[str], port: int, what: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`command`, the leader of its own process group, once it accepts on 127.0.0.1:`port` (else an error
    quoting its stderr); the whole group is ended when the block is left."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        if not wait_until(lambda: _accepts(port) or process.poll() is not None, 30) or process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr and process.poll() is not None else ""
            raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port}: {err}")
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


if __name__ == "__main__":
    print(everything_entry())
