"""A seccomp filter: what outlives a process, and what Landlock does not cover, is refused to student code.

- System V IPC (shared memory, message queues, semaphores) and the kernel keyring live beyond the process
  that filled them, and no folder holds them: the zygote's clear-up cannot see them.
- A file's metadata (its mode, owner, times and extended attributes) can be changed wherever the process
  can reach the file by name, its own scratch folder's parent included: Landlock governs reading and
  writing, not these.
Student code could use either to leave something for the next student process (the answer a speed check's
first try computed, for its second), to hold memory no limit counts, or (Landlock alone, no bubblewrap) to
`chmod` the grader's own files. After `deny_shared_stores()` those system calls fail with EPERM, and so does
every call of a foreign system-call ABI (32-bit calls on x86-64). POSIX message queues are refused by
RLIMIT_MSGQUEUE instead (worker.py). A new action for SIGCHLD is refused too: it would let the kernel reap
children without counting their CPU time (`program`).

Runs inside the student process (loaded from its source text), so it uses only the standard library. The
numbers are from <linux/audit.h>, <linux/filter.h>, <linux/seccomp.h> and each architecture's unistd.h.
"""

from __future__ import annotations

import ctypes
import platform

from .linux import PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP

SECCOMP_MODE_FILTER = 2
LOAD_WORD, JUMP_IF_EQUAL, JUMP_IF_AT_LEAST, RETURN = 0x20, 0x15, 0x35, 0x06  # BPF opcodes, with constant operands
ALLOW, REFUSE = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
NR, ARCH, ARG0, ARG1 = 0, 4, 16, 24  # offsets in struct seccomp_data (an argument's low word, little-endian)
SIGCHLD = 17
X32_BIT = 0x40000000  # x86-64's x32 system calls carry this bit

# machine -> (AUDIT_ARCH_*, the denied system calls, by name in the comments below)
SIGACTION = {"x86_64": 13, "aarch64": 134}  # rt_sigaction: see `program`
DENIED = {
    "x86_64": (0xC000003E, [
        248, 249, 250,  # add_key, request_key, keyctl
        29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71,  # shm get/at/ctl/dt, sem get/op/ctl/timedop, msg *
        90, 91, 268, 452, 92, 93, 94, 260,  # chmod, fchmod, fchmodat, fchmodat2, chown, fchown, lchown, fchownat
        132, 235, 261, 280,  # utime, utimes, futimesat, utimensat
        188, 189, 190, 197, 198, 199, 463, 466]),  # set/remove xattr (l-, f-, -at)
    "aarch64": (0xC00000B7, [
        217, 218, 219,  # add_key, request_key, keyctl
        194, 195, 196, 197, 190, 191, 192, 193, 186, 187, 188, 189,  # shm *, sem *, msg *
        52, 53, 452, 54, 55,  # fchmod, fchmodat, fchmodat2, fchownat, fchown
        88,  # utimensat
        5, 6, 7, 14, 15, 16, 463, 466]),  # set/remove xattr (l-, f-, -at)
}


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def program(arch: int, denied: list[int], x32: bool, sigaction: int | None = None) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jump if true, jump if false, constant): the last instruction refuses.

    With `sigaction` (rt_sigaction's number), a new action for SIGCHLD is refused too (reading it is not): a
    process that ignores SIGCHLD, or sets SA_NOCLDWAIT, has its children reaped by the kernel without their
    CPU time being added to its own, and a speed check counts the time of the processes a student's code
    starts (cpu.py)."""
    steps = [(LOAD_WORD, 0, 0, ARCH), (JUMP_IF_EQUAL, 1, 0, arch), (RETURN, 0, 0, REFUSE), (LOAD_WORD, 0, 0, NR)]
    tests = ([(JUMP_IF_AT_LEAST, X32_BIT)] if x32 else []) + [(JUMP_IF_EQUAL, nr) for nr in denied]
    refuse_at = len(steps) + len(tests) + (7 if sigaction is not None else 0) + 1  # after the ALLOW
    allow_at = refuse_at - 1

    def to(target: int) -> int:  # a jump from the instruction appended next
        return target - len(steps) - 1

    for code, value in tests:
        steps.append((code, to(refuse_at), 0, value))
    if sigaction is not None:
        steps.append((JUMP_IF_EQUAL, 0, to(allow_at), sigaction))
        steps.append((LOAD_WORD, 0, 0, ARG0))
        steps.append((JUMP_IF_EQUAL, 0, to(allow_at), SIGCHLD))
        steps.append((LOAD_WORD, 0, 0, ARG1))  # the new action's address: NULL only reads the old one
        steps.append((JUMP_IF_EQUAL, 0, to(refuse_at), 0))
        steps.append((LOAD_WORD, 0, 0, ARG1 + 4))
        steps.append((JUMP_IF_EQUAL, to(allow_at), to(refuse_at), 0))
    return steps + [(RETURN, 0, 0, ALLOW), (RETURN, 0, 0, REFUSE)]


def machine() -> str | None:
    """This machine's name in DENIED, for a Python of its own word size; None where the filter cannot apply
    (a 32-bit Python on a 64-bit kernel makes 32-bit system calls: the filter would refuse them all)."""
    name = platform.machine()
    return name if name in DENIED and ctypes.sizeof(ctypes.c_void_p) == 8 else None


def deny_shared_stores() -> bool:
    """Install the filter for this process and all it starts; False on a machine it does not know."""
    machine_name = machine()
    if machine_name is None:
        return False
    arch, denied = DENIED[machine_name]
    steps = program(arch, denied, x32=machine_name == "x86_64", sigaction=SIGACTION[machine_name])
    instructions = (_Instruction * len(steps))(*[_Instruction(*step) for step in steps])
    prog = _Program(len(steps), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
