"""A seccomp filter: the student process may not use the kernel's shared stores that outlive a process.

System V IPC (shared memory, message queues, semaphores) and the kernel keyring live beyond the process that
filled them, and no folder holds them: Landlock does not cover them, and a zygote's clear-up cannot see the
keyring. Student code could use them to leave something for the next student process (the answer a speed
check's first try computed, for its second), or to hold memory no limit counts. After `deny_shared_stores()`
those system calls fail with EPERM (and a foreign system-call ABI, such as 32-bit calls on x86-64, fails
altogether). POSIX message queues are refused by RLIMIT_MSGQUEUE instead (worker.py).

Runs inside the student process (loaded from its source text), so it uses only the standard library. The
numbers are from <linux/audit.h>, <linux/filter.h>, <linux/seccomp.h> and each architecture's unistd.h.
"""

from __future__ import annotations

import ctypes
import platform

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LOAD_WORD, JUMP_IF_EQUAL, JUMP_IF_AT_LEAST, RETURN = 0x20, 0x15, 0x35, 0x06  # BPF opcodes, with constant operands
ALLOW, REFUSE = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
NR, ARCH = 0, 4  # offsets in struct seccomp_data
X32_BIT = 0x40000000  # x86-64's x32 system calls carry this bit

# machine -> (AUDIT_ARCH_*, the denied system calls: add_key, request_key, keyctl, then System V IPC)
DENIED = {
    "x86_64": (0xC000003E, [248, 249, 250, 29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71]),
    "aarch64": (0xC00000B7, [217, 218, 219, 194, 195, 196, 197, 190, 191, 192, 193, 186, 187, 188, 189]),
}


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def program(arch: int, denied: list[int], x32: bool) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jump if true, jump if false, constant): the last instruction refuses."""
    steps = [(LOAD_WORD, 0, 0, ARCH), (JUMP_IF_EQUAL, 1, 0, arch), (RETURN, 0, 0, REFUSE), (LOAD_WORD, 0, 0, NR)]
    tests = ([(JUMP_IF_AT_LEAST, X32_BIT)] if x32 else []) + [(JUMP_IF_EQUAL, nr) for nr in denied]
    refuse_at = len(steps) + len(tests) + 1  # after the tests and the ALLOW that follows them
    for code, value in tests:
        steps.append((code, refuse_at - len(steps) - 1, 0, value))
    return steps + [(RETURN, 0, 0, ALLOW), (RETURN, 0, 0, REFUSE)]


def deny_shared_stores() -> bool:
    """Install the filter for this process and all it starts; False on a machine it does not know."""
    machine = platform.machine()
    if machine not in DENIED:
        return False
    arch, denied = DENIED[machine]
    steps = program(arch, denied, x32=machine == "x86_64")
    instructions = (_Instruction * len(steps))(*[_Instruction(*step) for step in steps])
    prog = _Program(len(steps), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
