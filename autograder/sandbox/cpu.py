"""What a student process has cost in CPU time, read from the kernel by the grader.

A speed check asks what the student's code costs, not how long the wall clock ran while it shared a core
with other work: on a busy machine (a laptop with a browser open, `grade-class` putting a grading process
on every core, a CI runner beside other jobs) the wall clock of the same call varies several-fold, while
its CPU time barely moves. So the grader reads the CPU time of the student's processes itself, from the
kernel; nothing the student process reports enters the measure.

What is measured is a tree: the keeper of a student process (sandbox/launch.py) and everything under it, so that
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
from dataclasses import dataclass

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
    """The process's pid in the innermost pid namespace it belongs to (its own view of its pid): the last
    of /proc/<pid>/status's NSpid; a kernel without that line (before 4.1) has no namespaces to map."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return pid


def start_time(pid: int) -> int | None:
    """When process `pid` started (clock ticks since boot): with the pid, what names one process for good."""
    fields = stat_fields(pid)
    return int(fields[19]) if len(fields) > 19 else None


def process_seconds(pid: int) -> float:
    """The CPU time of process `pid` so far, every thread of it, to the nanosecond from its CPU clock; where
    that cannot be read (a process that has ended but is not yet reaped, a kernel that refuses), to the
    clock tick from /proc/<pid>/stat; 0.0 if it has gone."""
    clock = ctypes.c_int()
    if _libc.clock_getcpuclockid(pid, ctypes.byref(clock)) == 0:
        with contextlib.suppress(OSError):
            return time.clock_gettime(clock.value)
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) * TICK if len(fields) > 12 else 0.0


def reaped_seconds(pid: int) -> float:
    """The CPU time of the children that process `pid` has reaped (and of theirs); 0.0 if it has gone."""
    fields = stat_fields(pid)
    return (int(fields[13]) + int(fields[14])) * TICK if len(fields) > 14 else 0.0


def usable_cores() -> int:
    """The CPUs this process may run on (cpu_count ignores affinity and cgroup pinning)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Gone(Exception):
    """The keeper of a student process has ended, or its pid is another process's now."""


@dataclass(frozen=True)
class Keeper:
    """The keeper of one student process, as this process sees it: the root of what is measured."""

    pid: int
    started: int
    student: int  # the student process, the keeper's one child when it was found

    @classmethod
    def find(cls, root: int, inner: int) -> Keeper | None:
        """The keeper under `root` (a process this one started) that its pid namespace knows as `inner`.
        To be called before any student code runs: the keeper is then a child of the zygote with one child
        of its own, and no process student code started can pose as it."""
        table = parents()
        for pid in descendants(root, table):
            children = [child for child, parent in table.items() if parent == pid]
            if innermost_pid(pid) == inner and len(children) == 1 and (started := start_time(pid)) is not None:
                return cls(pid, started, children[0])
        return None

    def check(self) -> None:
        if start_time(self.pid) != self.started:
            raise Gone

    def alone(self) -> bool:
        """Whether the keeper and the student process are the whole tree (no process student code started)."""
        return set(descendants(self.pid, parents())) == {self.pid, self.student}

    def student_seconds(self) -> float:
        """The student process's own CPU time (cheap: for watching a call while it runs)."""
        return process_seconds(self.student)

    def seconds(self) -> float:
        """The CPU time used so far by the keeper, everything under it, and what they reaped (see the module).
        Each process is read whole (its own time, then its reaped children's) before its parent is."""
        self.check()
        total = sum(process_seconds(pid) + reaped_seconds(pid) for pid in descendants(self.pid, parents()))
        self.check()  # (a keeper that ended while it was read: its pid may be another process's)
        return total
