"""Linux Landlock: the student process restricts itself, with no privilege, before any student code runs.

The second layer where bubblewrap cannot run (no root and no user namespaces: a shared server, a laptop).
After `restrict(...)` the process and everything it starts can read only the given folders (the Python
installation and numpy), write only its scratch folder, bind or connect no TCP socket (ABI 4+), and signal
no process outside itself (ABI 6+). Landlock needs kernel 5.13 or later; `restrict` returns the ABI it
applied, or 0 where Landlock is missing, and then the process runs without this layer.

Runs inside the student process (loaded from its source text), so it uses only the standard library:
the three system calls through ctypes. Numbers from <linux/landlock.h>; the system call numbers are the
same on every architecture (444-446).
"""

from __future__ import annotations

import ctypes
import os

from .linux import PR_SET_NO_NEW_PRIVS

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# File-system rights known to each ABI version (a ruleset must handle only rights its kernel knows).
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read a file, read a folder
FILE_RIGHTS = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)  # execute, write, read, truncate, ioctl
NET_TCP = (1 << 0) | (1 << 1)  # bind, connect (ABI 4+)
SCOPE_ALL = (1 << 0) | (1 << 1)  # abstract unix sockets, signals (ABI 6+)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def abi_version() -> int:
    """Landlock's ABI version on this kernel, 0 where it is missing or disabled."""
    try:
        return max(0, int(_libc().syscall(CREATE_RULESET, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)))
    except (OSError, AttributeError):
        return 0


def restrict(readable: list[str], writable: list[str]) -> int:
    """Restrict this process for good; returns the ABI version applied, 0 if Landlock is unavailable."""
    abi = abi_version()
    if abi < 1:
        return 0
    libc = _libc()
    fs_rights = FS_RIGHTS_BY_ABI[max(v for v in FS_RIGHTS_BY_ABI if v <= abi)]
    attr = _RulesetAttr(fs_rights, NET_TCP if abi >= 4 else 0, SCOPE_ALL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8  # the struct grew with the ABI
    ruleset = libc.syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for paths, rights in ((readable, READ & fs_rights), (writable, fs_rights)):
            for path in paths:
                _allow(libc, int(ruleset), path, rights)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.syscall(RESTRICT_SELF, int(ruleset), 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(int(ruleset))
    return abi


def _allow(libc: ctypes.CDLL, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a folder that does not exist here needs no rule
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS  # a rule on a file may grant only the rights that apply to files
        rule = _PathBeneathAttr(rights, fd)
        if libc.syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
