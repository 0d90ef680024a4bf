"""run_command: a real shell in its own process group, with a timeout that kills the whole tree."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
import time
from typing import BinaryIO, ClassVar

from pydantic import Field

from tools.base import Category, Tool, ToolArgs, ToolContext, ToolError, ToolResult
from tools.policy.sandbox_plan import SandboxPlan
from tools.policy.seccomp import filter_fd
from tools.workspace.output import cap_bytes_middle
from tools.workspace.secrets import redact_text, scrub_environment

READ_CHUNK = 65536


class RunCommandArgs(ToolArgs):
    command: str = Field(description="A shell command line, run with /bin/sh in the workspace root.")
    timeout: float | None = Field(default=None, gt=0, le=3600, description="Seconds before the command is killed.")
    requires_approval: bool = Field(
        default=False, description="Set true to ask the user before running, e.g. for anything risky."
    )
    network: bool = Field(
        default=False,
        description="Set true only if the command needs the network (downloads, package installs): the sandbox "
        "blocks it otherwise, and a person is asked first.",
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


def _pump(stream: BinaryIO, buffer: _CappedBuffer) -> None:
    fd = stream.fileno()
    while chunk := os.read(fd, READ_CHUNK):
        buffer.add(chunk)


def _wait_then_reap_group(proc: subprocess.Popen[bytes], reader: threading.Thread, timeout: float) -> tuple[int, bool]:
    """Wait for the shell itself (not for the pipe: a background child may hold it open), then kill
    what is left of its process group so nothing outlives the command; returns (exit code, timed out)."""
    timed_out = False
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid)
        code = proc.wait()
    _kill_group(proc.pid)
    reader.join()
    return code, timed_out


def _start(command: str, ctx: ToolContext, sandbox: SandboxPlan | None, network: bool) -> subprocess.Popen[bytes]:
    """The shell, in the sandbox when there is one (its seccomp filter handed over on a descriptor)."""
    env = scrub_environment(os.environ, ctx.scrubbed_values)
    fd = filter_fd(sandbox.seccomp) if sandbox is not None and sandbox.seccomp is not None else None
    prefix = sandbox.argv(network=network, seccomp_fd=fd) if sandbox is not None else []
    try:
        return subprocess.Popen(
            [*prefix, "/bin/sh", "-c", command],
            cwd=ctx.workspace.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=(fd,) if fd is not None else (),
        )
    finally:
        if fd is not None:
            os.close(fd)


async def run_shell(
    command: str, ctx: ToolContext, timeout: float, sandbox: SandboxPlan | None = None, network: bool = False
) -> ToolResult:
    buffer = _CappedBuffer(ctx.max_output_bytes)
    started = time.monotonic()
    proc = _start(command, ctx, sandbox, network)
    pgid = proc.pid
    assert proc.stdout is not None
    reader = threading.Thread(target=_pump, args=(proc.stdout, buffer), name=f"run_command-{pgid}", daemon=True)
    reader.start()
    try:
        exit_code, timed_out = await asyncio.to_thread(_wait_then_reap_group, proc, reader, timeout)
    except asyncio.CancelledError:
        # The waiting thread returns as soon as the group is gone.
        _kill_group(pgid)
        raise
    finally:
        if not reader.is_alive():
            proc.stdout.close()
    duration = time.monotonic() - started
    output = redact_text(buffer.render(), ctx.scrubbed_values)
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
            "process_group": pgid,
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
        return f"run: {args.command}" + (" (with network access)" if args.network else "")

    def preview(self, args: RunCommandArgs, ctx: ToolContext) -> str:
        return args.command

    async def run(self, args: RunCommandArgs, ctx: ToolContext) -> ToolResult:
        if not args.command.strip():
            raise ToolError("empty command: give the shell command line to run")
        timeout = args.timeout or ctx.command_timeout_s
        refusal = ctx.extra.get("sandbox_error")
        if isinstance(refusal, str) and refusal:
            raise ToolError(f"not run: {refusal}")
        sandbox = ctx.extra.get("sandbox")
        plan = sandbox if isinstance(sandbox, SandboxPlan) else None
        return await run_shell(args.command, ctx, timeout, plan, network=args.network)


__all__ = ["RunCommand", "RunCommandArgs", "cap_bytes_middle", "run_shell"]
