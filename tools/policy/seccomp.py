"""The seccomp filter bubblewrap loads for commands: no AF_UNIX sockets (so no host socket can be reached,
whatever the file system shows) and no io_uring (whose requests would bypass the filter).

`socketpair` stays allowed: pipes between a program's own processes (asyncio, libuv, pytest) keep working.
A classic BPF program, written out by hand (libseccomp is not needed): checks the architecture, then the
system call number and, for `socket`, its first argument (the address family).
"""

from __future__ import annotations

import errno
import os
import platform
import struct

BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AF_UNIX = 1
X32_BIT = 0x40000000

# (audit architecture, socket, io_uring_setup, io_uring_enter, io_uring_register) per machine.
ARCHES = {
    "x86_64": (0xC000003E, 41, 425, 426, 427),
    "aarch64": (0xC00000B7, 198, 425, 426, 427),
}
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def filter_program(machine: str | None = None) -> bytes | None:
    """The filter for this machine, or None where it is not known (the sandbox then runs without it)."""
    arch = ARCHES.get(machine or platform.machine())
    if arch is None:
        return None
    audit_arch, socket_nr, *uring = arch
    blocked = [*uring, *((n | X32_BIT) for n in uring)] if audit_arch == ARCHES["x86_64"][0] else list(uring)
    sockets = [socket_nr, *([socket_nr | X32_BIT] if audit_arch == ARCHES["x86_64"][0] else [])]
    deny = SECCOMP_RET_ERRNO | errno.EACCES
    # Layout: [arch check] [nr loaded] [blocked nrs...] [socket nrs...] [allow] [deny] [family check] [allow] [deny]
    body: list[tuple[int, int, str | None, str | None]] = []
    body.append((BPF_LD_W_ABS, OFFSET_ARCH, None, None))
    body.append((BPF_JEQ_K, audit_arch, None, "allow"))
    body.append((BPF_LD_W_ABS, OFFSET_NR, None, None))
    body += [(BPF_JEQ_K, n, "deny", None) for n in blocked]
    body += [(BPF_JEQ_K, n, "family", None) for n in sockets]
    labels = {"allow": len(body), "deny": len(body) + 1, "family": len(body) + 2}
    program = b""
    for index, (code, k, jt, jf) in enumerate(body):
        jump_true = labels[jt] - index - 1 if jt else 0
        jump_false = labels[jf] - index - 1 if jf else 0
        program += _op(code, k, jump_true, jump_false)
    program += _op(BPF_RET_K, SECCOMP_RET_ALLOW)
    program += _op(BPF_RET_K, deny)
    program += _op(BPF_LD_W_ABS, OFFSET_ARG0)
    program += _op(BPF_JEQ_K, AF_UNIX, 0, 1)
    program += _op(BPF_RET_K, deny)
    program += _op(BPF_RET_K, SECCOMP_RET_ALLOW)
    return program


def filter_fd(program: bytes) -> int:
    """A descriptor holding `program` from its start, for bubblewrap's `--seccomp FD` (inheritable)."""
    fd = os.memfd_create("flambeau-seccomp", 0)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd
