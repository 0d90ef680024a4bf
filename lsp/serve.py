"""Running the server on stdio or TCP with the strict read loop; tasks are cancelled when the client goes."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from typing import BinaryIO

from pygls.io_ import StdoutWriter

from lsp.server import FlambeauServer, build_server
from lsp.transport import serve

STDIN_LINE_LIMIT = 1 << 20


def run_stdio() -> int:
    """Serve on stdin/stdout. Stray writes to stdout (by any library) go to stderr, not into the protocol."""
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return asyncio.run(_stdio(build_server(), sys.stdin.buffer, protocol_out))


def run_tcp(host: str, port: int) -> int:
    """Serve one client on `host:port` (for debugging a server you started yourself)."""
    return asyncio.run(_tcp(build_server(), host, port))


async def _stdio(server: FlambeauServer, stdin: BinaryIO, stdout: BinaryIO) -> int:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=STDIN_LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    server.protocol.set_writer(StdoutWriter(stdout))
    return await _session(server, reader)


async def _tcp(server: FlambeauServer, host: str, port: int) -> int:
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if done.done():
            writer.close()
            return
        server.protocol.set_writer(writer)
        code = await _session(server, reader)
        writer.close()
        if not done.done():
            done.set_result(code)

    listener = await asyncio.start_server(connected, host, port, limit=STDIN_LINE_LIMIT)
    async with listener:
        print(f"flambeau lsp: listening on {host}:{port}", file=sys.stderr, flush=True)
        return await done


async def _session(server: FlambeauServer, reader: asyncio.StreamReader) -> int:
    """Serve until the client exits or disconnects; running tasks are cancelled (their traces closed)."""
    try:
        await serve(server.protocol, reader, threading.Event(), on_cancel=server.tasks.cancel_for_request)
        return 0
    except SystemExit as exit_request:  # pygls answers `exit` with sys.exit
        return exit_request.code if isinstance(exit_request.code, int) else 0
    finally:
        await server.tasks.cancel_all()
