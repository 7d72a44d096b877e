"""What a student process has cost in CPU time, read from the kernel by the grader.

A speed check asks what the student's code costs, not how long the wall clock ran while it shared a core
with other work: on a busy machine (a laptop with a browser open, `grade-class` putting a grading process
on every core, a CI runner beside other jobs) the wall clock of the same call varies several-fold, while
its CPU time barely moves. So the grader reads the CPU time of the student's processes itself, from the
kernel; nothing the student process reports enters the measure.

What is measured is a tree: the keeper of a student process (sandbox.py) and everything under it, so that
work handed to a child process or a thread counts too. Per process, the kernel's CPU clock of the process
(all its threads, to the nanosecond) plus the time of the children it has reaped (`cutime`, `cstime`:
kept in nanoseconds, shown in clock ticks). The keeper is the subreaper of every orphan, so a child that
ends inside the tree leaves its time in the tree. Processes are read children first: a child reaped while
the tree is read is counted twice rather than not at all, which only a submission that starts processes
can notice (and only to its cost).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import time

TICK = 1 / os.sysconf("SC_CLK_TCK")  # seconds per clock tick, the unit of /proc/<pid>/stat's times
_libc = ctypes.CDLL(None, use_errno=True)


def stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the name (which may hold spaces and parentheses); [] if gone."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
        return stat.read().rpartition(")")[2].split()
    return []


def parents() -> dict[int, int]:
    """Every process this one can see: pid -> its parent's pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and len(fields := stat_fields(int(entry))) > 1:
            found[int(entry)] = int(fields[1])
    return found


def descendants(root: int, table: dict[int, int]) -> list[int]:
    """`root` and every process under it, children before their parents."""
    below: dict[int, list[int]] = {}
    for pid, parent in table.items():
        below.setdefault(parent, []).append(pid)
    order, todo = [], [root]
    while todo:
        pid = todo.pop()
        order.append(pid)
        todo += below.get(pid, [])
    return order[::-1]


def innermost_pid(pid: int) -> int | None:
    """The process's pid in the innermost pid namespace it belongs to (its own view of its pid)."""
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    return None


def find(root: int, inner: int) -> int | None:
    """The pid, as this process sees it, of the process under `root` that its own pid namespace knows as
    `inner` (a zygote under bubblewrap reports its children's pids in the sandbox's namespace)."""
    return next((pid for pid in descendants(root, parents()) if innermost_pid(pid) == inner), None)


def process_seconds(pid: int) -> float:
    """The CPU time of process `pid` so far, every thread of it; 0.0 if it has gone."""
    clock = ctypes.c_int()
    if _libc.clock_getcpuclockid(pid, ctypes.byref(clock)) != 0:
        return 0.0
    try:
        return time.clock_gettime(clock.value)
    except OSError:  # ended between the two calls
        return 0.0


def reaped_seconds(pid: int) -> float:
    """The CPU time of the children that process `pid` has reaped (and of theirs); 0.0 if it has gone."""
    fields = stat_fields(pid)
    return (int(fields[13]) + int(fields[14])) * TICK if len(fields) > 14 else 0.0


def tree_seconds(root: int) -> float:
    """The CPU time used so far by `root`, everything under it, and what they reaped (see the module).
    Each process is read whole (its own time, then its reaped children's) before its parent is."""
    return sum(process_seconds(pid) + reaped_seconds(pid) for pid in descendants(root, parents()))
