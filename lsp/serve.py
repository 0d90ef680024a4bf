"""Running the server on stdio or TCP with the strict read loop; tasks are cancelled when the client goes."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

from pygls.io_ import StdoutWriter

from lsp.server import FlambeauServer, build_server
from lsp.transport import serve

STDIN_LINE_LIMIT = 1 << 20
UNWIND_S = 5.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_stdio() -> int:
    """Serve on stdin/stdout. Stray writes to stdout (by any library) go to stderr, not into the protocol."""
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return _run_until_exit(_stdio(build_server(), sys.stdin.buffer, protocol_out))


def run_tcp(host: str, port: int) -> int:
    """Serve one client on `host:port` (for debugging a server you started yourself)."""
    return _run_until_exit(_tcp(build_server(), host, port))


def _run_until_exit(session: Coroutine[Any, Any, int]) -> int:
    """Run the session; when it ends (its tasks cancelled, their traces closed), leave at once.

    `asyncio.run` would then wait for every worker thread to finish, and one may be blocked for minutes
    (on a model that does not answer, a fitness check, the agent's first import on a loaded machine):
    the editor said exit, and the process would not. Such a thread is abandoned, not joined."""
    workers = ThreadPoolExecutor(thread_name_prefix="flambeau-worker")
    loop = asyncio.new_event_loop()
    loop.set_default_executor(workers)
    try:
        code = loop.run_until_complete(session)
        loop.run_until_complete(_cancel_the_rest())
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        workers.shutdown(wait=False, cancel_futures=True)
    busy = [t.name for t in threading.enumerate() if t.is_alive() and not t.daemon and t is not threading.main_thread()]
    if busy:
        logging.getLogger(__name__).warning("exiting without waiting for %s", ", ".join(busy))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    loop.close()
    return code


async def _cancel_the_rest() -> None:
    """Tasks still pending on the loop (as `asyncio.run` does), given a bounded time to unwind."""
    pending = asyncio.all_tasks() - {asyncio.current_task()}
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=UNWIND_S)


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
    """Serve until the client exits or disconnects, or SIGINT or SIGTERM arrives; running tasks are
    cancelled (their traces closed) before this returns."""
    loop = asyncio.get_running_loop()
    serving = asyncio.current_task()
    assert serving is not None
    received: list[int] = []

    def stop(signum: int) -> None:
        received.append(signum)
        serving.cancel()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    try:
        # Served in this task, so that pygls' sys.exit on `exit` is caught here and not raised out of the loop.
        await serve(server.protocol, reader, threading.Event(), on_cancel=server.tasks.cancel_for_request)
        return 0
    except SystemExit as exit_request:  # pygls answers `exit` with sys.exit
        return exit_request.code if isinstance(exit_request.code, int) else 0
    except asyncio.CancelledError:
        if not received:
            raise
        return 128 + received[0]
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        await server.tasks.cancel_all()
