"""Reading a line from the terminal without holding up the end of the process.

`asyncio.to_thread` would leave a thread blocked in `readline` that `asyncio.run` waits for on its way
out, so a task cancelled by SIGINT or SIGTERM while a question waits would never exit. A daemon thread
answers a future instead; when the task is cancelled nobody waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import TextIO


async def read_line(prompt: str, out: TextIO) -> str:
    """Write `prompt` to `out`, then the next line of standard input ("" at its end)."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def deliver(line: str) -> None:
        if not answer.done():
            answer.set_result(line)

    def read() -> None:
        out.write(prompt)
        out.flush()
        line = sys.stdin.readline()
        with contextlib.suppress(RuntimeError):  # the loop is closed: the task ended meanwhile
            loop.call_soon_threadsafe(deliver, line)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return await answer
