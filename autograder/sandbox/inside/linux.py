"""The Linux process controls the grader uses (linux/prctl.h), named once for both sides of the sandbox.

Runs inside the sandbox as well: the standard library only.
"""

from __future__ import annotations

import ctypes

PR_SET_PDEATHSIG = 1  # the signal a process gets when its parent ends
PR_SET_DUMPABLE = 4  # 0: no core dump, no /proc/<pid>/mem, no ptrace by the same user
PR_SET_SECCOMP = 22
PR_SET_CHILD_SUBREAPER = 36  # orphans below this process are re-parented to it, not to init
PR_SET_NO_NEW_PRIVS = 38  # needed before seccomp or Landlock restricts an unprivileged process


def prctl(option: int, value: int = 0, *rest: object) -> int:
    """prctl(2): 0 on success, -1 on failure."""
    return ctypes.CDLL(None, use_errno=True).prctl(option, value, *(rest or (0, 0, 0)))
