"""Process confinement for the children that evaluate client SPARQL: no network, bounded memory,
death with the parent. Linux only (x86_64, aarch64), standard library only (ctypes). No Flask.

pyoxigraph evaluates `SERVICE` and `LOAD` with its own HTTP client, and offers no switch to turn it
off. The parsed-query check (odl_graph/query_guard.py) refuses both before dispatch; this module is
the structural backstop that holds even when that check is missed: a seccomp filter makes every
`socket()` and `connect()` call fail with EACCES, whatever the address family (AF_UNIX too: a local
resolver's socket could still turn a host name into a request), and `io_uring_setup`, which could
open sockets without `socket()`, with ENOSYS. It needs no privilege (PR_SET_NO_NEW_PRIVS), is
inherited by every thread and process the child starts later, and cannot be undone. The pipe to the
parent (a socketpair made before the fork, already connected) keeps working; descriptors inherited
from the parent are pointed at /dev/null beforehand (process.detach_fds), so no inherited socket is
left to use.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import platform
import resource
import signal
import struct
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000

# BPF opcodes
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

# (audit arch, socket, connect, io_uring_setup) syscall numbers; these ABIs have no socketcall.
_ARCH = {
    "x86_64": (0xC000003E, 41, 42, 425),
    "aarch64": (0xC00000B7, 198, 203, 425),
}
_X32_BIT = 0x40000000  # x86_64: syscalls of the x32 ABI have this bit set; refuse them all


class SandboxError(OSError):
    """The confinement could not be installed (the caller decides whether to go on)."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, arg2: int = 0, arg3: Any = 0) -> None:
    """prctl(2) with unsigned long arguments; `arg3` may be a ctypes pointer (byref)."""
    libc = _libc()
    third = arg3 if not isinstance(arg3, int) else ctypes.c_ulong(arg3)
    if libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), third, ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        err = ctypes.get_errno()
        raise SandboxError(err, f"prctl({option}) failed: {os.strerror(err)}")


def die_with_parent(parent_pid: int | None = None) -> None:
    """SIGKILL this process when its parent dies (PR_SET_PDEATHSIG).

    The kernel sends it when the parent *thread* that forked us exits; the server's forking
    threads live as long as the server. If the parent already died before the call (the usual
    race), exit at once."""
    _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def _filter_program(arch: str) -> bytes:
    audit, sys_socket, sys_connect, sys_uring = _ARCH[arch]

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    deny_eacces = SECCOMP_RET_ERRNO | errno.EACCES
    deny_enosys = SECCOMP_RET_ERRNO | errno.ENOSYS
    prog = [
        op(_LD_W_ABS, 4),  # 0: seccomp_data.arch
        op(_JEQ_K, audit, 1, 0),  # 1: native arch -> 3
        op(_RET_K, deny_enosys),  # 2: any foreign ABI (i386 int 0x80...) refused
        op(_LD_W_ABS, 0),  # 3: seccomp_data.nr
        op(_JGE_K, _X32_BIT, 0, 1),  # 4: x32 ABI -> 5, else 6
        op(_RET_K, deny_enosys),  # 5
        op(_JEQ_K, sys_uring, 0, 1),  # 6: io_uring_setup -> 7
        op(_RET_K, deny_enosys),  # 7
        op(_JEQ_K, sys_socket, 2, 0),  # 8: socket -> 11 (any family, AF_UNIX too), else 9
        op(_JEQ_K, sys_connect, 1, 0),  # 9: connect -> 11, else 10
        op(_RET_K, SECCOMP_RET_ALLOW),  # 10: everything else
        op(_RET_K, deny_eacces),  # 11
    ]
    return b"".join(prog)


def forbid_network() -> None:
    """From now on this process and its descendants cannot open or connect any socket."""
    arch = platform.machine()
    if arch not in _ARCH:
        raise SandboxError(errno.ENOTSUP, f"no network filter for architecture {arch!r}")
    code = _filter_program(arch)
    filt = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.cast(filt, ctypes.c_void_p))
    _prctl(PR_SET_NO_NEW_PRIVS, 1)  # required to install a filter without privilege
    _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog))


def address_space() -> int:
    """This process's current virtual size in bytes (VmSize), what RLIMIT_AS is compared with."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(extra_bytes: int) -> None:
    """Cap the address space at what it is now plus `extra_bytes` (0 = no cap).

    A forked worker starts with the parent's whole address space (the in-memory store, shared
    copy-on-write), so the cap is relative: what a query may allocate on top of it. Allocations
    past it fail: Python raises MemoryError, the Rust engine aborts with "memory allocation of N
    bytes failed" (the engine reads that from the worker's stderr)."""
    if extra_bytes <= 0:
        return
    soft = address_space() + int(extra_bytes)
    _cur, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def confine(parent_pid: int, memory_bytes: int, *, die_with_parent_thread: bool = True) -> None:
    """No network, bounded memory and, unless told otherwise, death with the parent. A missing
    network filter is fatal (SandboxError): the child exits rather than evaluate client SPARQL
    with network access.

    PR_SET_PDEATHSIG fires when the forking *thread* ends, so it suits a child that its thread
    waits for (an update); long-lived query workers, forked from whichever request thread needed
    one, watch their parent's pid instead (engine._worker_loop) and carry a CPU-time backstop."""
    if die_with_parent_thread:
        die_with_parent(parent_pid)
    forbid_network()
    limit_memory(memory_bytes)
