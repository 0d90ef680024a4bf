"""run_command: a real shell in its own process group, with a timeout that kills the whole tree."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from typing import ClassVar

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult
from tools.output import cap_bytes_middle
from tools.secrets import scrub_environment

READ_CHUNK = 65536


class RunCommandArgs(ToolArgs):
    command: str = Field(description="A shell command line, run with /bin/sh in the workspace root.")
    timeout: float | None = Field(default=None, gt=0, le=3600, description="Seconds before the command is killed.")
    requires_approval: bool = Field(
        default=False, description="Set true to ask the user before running, e.g. for anything risky."
    )


class _CappedBuffer:
    """Keeps the first and last bytes of a stream of any size without holding it all."""

    def __init__(self, limit: int) -> None:
        self.head_limit = limit * 2 // 3
        self.tail_limit = limit - self.head_limit
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            if len(self.tail) > self.tail_limit * 2:
                del self.tail[: len(self.tail) - self.tail_limit]

    def render(self) -> str:
        tail = bytes(self.tail[-self.tail_limit :]) if self.tail_limit else b""
        kept = len(self.head) + len(tail)
        text = self.head.decode("utf-8", errors="replace")
        if self.total > kept:
            text += f"\n[... {self.total - kept:,} bytes cut from the middle of {self.total:,} bytes of output ...]\n"
        return text + tail.decode("utf-8", errors="replace")


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


async def run_shell(command: str, ctx: ToolContext, timeout: float, argv_prefix: list[str] | None = None) -> ToolResult:
    env = scrub_environment(os.environ, ctx.scrubbed_values)
    buffer = _CappedBuffer(ctx.max_output_bytes)
    started = time.monotonic()
    argv = [*(argv_prefix or []), "/bin/sh", "-c", command]
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=ctx.workspace.root,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    pgid = proc.pid
    assert proc.stdout is not None
    stdout = proc.stdout

    async def pump() -> None:
        while chunk := await stdout.read(READ_CHUNK):
            buffer.add(chunk)

    async def finish() -> int:
        code = await proc.wait()
        # Background children of the shell must not outlive the command (nor hold the pipe open).
        _kill_group(pgid)
        await pump_task
        return code

    pump_task = asyncio.ensure_future(pump())
    timed_out = False
    try:
        exit_code = await asyncio.wait_for(finish(), timeout=timeout)
    except TimeoutError:
        timed_out = True
        _kill_group(pgid)
        exit_code = await proc.wait()
        await pump_task
    except asyncio.CancelledError:
        _kill_group(pgid)
        pump_task.cancel()
        raise
    duration = time.monotonic() - started
    output = buffer.render()
    status = (
        f"killed after the {timeout:g}s timeout (the whole process group)" if timed_out else f"exit code {exit_code}"
    )
    summary = f"[{status}; {duration:.2f}s; {buffer.total:,} bytes of output]"
    return ToolResult(
        ok=(exit_code == 0 and not timed_out),
        output=f"{output}\n{summary}" if output else summary,
        data={
            "exit_code": exit_code,
            "timed_out": timed_out,
            "duration_s": round(duration, 3),
            "output_bytes": buffer.total,
        },
    )


class RunCommand(Tool[RunCommandArgs]):
    name: ClassVar[str] = "run_command"
    category: ClassVar[Category] = Category.COMMAND
    description: ClassVar[str] = (
        "Run a shell command in the workspace root and return its exit code and output (stdout and stderr)."
    )
    args_model = RunCommandArgs

    def summary(self, args: RunCommandArgs) -> str:
        return f"run: {args.command}"

    def preview(self, args: RunCommandArgs, ctx: ToolContext) -> str:
        return args.command

    async def run(self, args: RunCommandArgs, ctx: ToolContext) -> ToolResult:
        if not args.command.strip():
            raise ToolError("empty command: give the shell command line to run")
        timeout = args.timeout or ctx.command_timeout_s
        prefix = ctx.extra.get("sandbox_argv")
        return await run_shell(args.command, ctx, timeout, prefix if isinstance(prefix, list) else None)


__all__ = ["RunCommand", "RunCommandArgs", "cap_bytes_middle", "run_shell"]
