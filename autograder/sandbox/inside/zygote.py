"""The zygote: one process that imports numpy once and forks a fresh student process on request.

Starting Python and numpy costs about 0.08 s of CPU, the largest share of grading a notebook in a batch; a
fork of a process that has already imported them costs about a millisecond. sandbox/launch.py starts the zygote
inside bubblewrap where it can run (otherwise as a plain process: each student process then restricts
itself with Landlock) from this file's source text, beside protocol.py, landlock.py and worker.py. It
never runs student code itself.

Its control socket (its standard input, a Unix socket of packets) takes two requests from the grader:
- `fork`, with the student process's two channel ends passed as file descriptors and its limits: a child
  becomes a keeper and a student process (worker.py), with a scratch folder of its own;
- `end`: wait up to `wait` seconds for a student process to end by itself, else stop it; answer how it
  ended (its exit code, or None when it had to be stopped).

Between one student process and the next, the zygote clears up. It is the child subreaper of everything
student code starts: before each fork and after each end it kills every process left over from a student
process that has ended, and removes its scratch folder (a tmpfs of the process's own where the kernel
allows, which went with it: scratch.py). It then checks that nothing but the folders in use is left; if
anything is, it says it is tainted in every answer, and the grader replaces it (sandbox/launch.py). Scratch
folders are named from os.urandom, and the zygote draws from no random generator a student process
inherits: nothing in one tells where another's folder was. Student code holds no file descriptor of the
zygote's, cannot read or write its memory (the zygote is not dumpable), writes only its own folder and
signals nothing outside itself (Landlock, ABI 6+), and has no System V IPC, keyring, POSIX message queue or
metadata change (a mode, times, extended attributes) to leave anything in (seccomp.py, RLIMIT_MSGQUEUE).
Where either is missing, sandbox/launch.py gives each notebook a zygote of its own instead (`shares_zygote`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import secrets
import signal
import socket
import sys
import time

from .linux import PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE
from .protocol import KEEPER_SECONDS
from .scratch import remove
from .worker import children, kill_quietly, run_student

CONTROL_BYTES = 1 << 16  # the largest request
POLL_SECONDS = 0.002  # how often an `end` looks whether the student process has ended


class Zygote:
    def __init__(self, control: socket.socket, setup: dict) -> None:
        self.control, self.setup = control, setup
        self.live: dict[int, str] = {}  # keeper pid -> its scratch folder
        self.codes: dict[int, int] = {}  # keeper pid -> exit code, once it has ended and until asked
        self.tainted = ""  # why it may not be trusted to clear up any more (then the grader replaces it)

    def serve(self) -> None:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(self.control, CONTROL_BYTES, 2)
            except OSError:
                data, fds = b"", []
            if not data:  # the grader has gone: so does everything started here
                self.clear(everything=True)
                if self.setup["layer"] != "bubblewrap":  # (bubblewrap's /tmp goes with it)
                    with contextlib.suppress(OSError):
                        os.rmdir(self.setup["scratch"])
                os._exit(0)
            try:
                reply = self.handle(json.loads(data), fds)
            except Exception as error:  # a clear-up that failed, whatever student code left: never the end
                self.tainted = self.tainted or f"{type(error).__name__} while clearing up"
                reply = {"op": "failed"}
            for fd in fds:
                os.close(fd)
            reply["tainted"] = self.tainted
            self.control.send(json.dumps(reply).encode())

    def handle(self, request: dict, fds: list[int]) -> dict:
        if request["op"] == "fork":
            pid = self.fork(fds, request["limits"])
            return {"op": "forked", "id": pid} if pid else {"op": "failed"}
        return {"op": "ended", "code": self.end(int(request["id"]), float(request["wait"]))}

    def fork(self, fds: list[int], limits: dict) -> int | None:
        """A new keeper and student process: the keeper's pid; None if this zygote is tainted."""
        self.clear()
        if self.tainted:  # what is left could reach the new process
            return None
        scratch = os.path.join(self.setup["scratch"], f"student-{secrets.token_hex(16)}")
        os.mkdir(scratch, 0o700)
        pid = os.fork()
        if pid == 0:
            try:
                self.control.close()
                self.live.clear()  # what the zygote knows of other student processes is not this one's
                self.codes.clear()
                for fd in fds:
                    os.set_inheritable(fd, False)  # nothing the student's code runs gets the channel
                run_student((fds[0], fds[1]), limits, self.setup, scratch)
            finally:
                os._exit(70)
        self.live[pid] = scratch
        return pid

    def end(self, pid: int, wait: float) -> int | None:
        stopped = not self.ended(pid, wait)
        if stopped:
            self.stop(pid)
        self.clear()
        code = self.codes.pop(pid, None)
        return None if stopped else code

    def stop(self, pid: int) -> None:
        """SIGTERM to a keeper: it kills its student process and everything that started; SIGKILL if it
        does not end in time (then the student process goes by its death signal, the rest by `clear`)."""
        kill_quietly(pid, signal.SIGTERM)
        if not self.ended(pid, KEEPER_SECONDS):
            kill_quietly(pid)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.forget(pid, -signal.SIGKILL)

    def ended(self, pid: int, seconds: float) -> bool:
        """Whether the keeper `pid` has ended (and been reaped) within `seconds`."""
        deadline = time.monotonic() + seconds
        self.reap()
        while pid in self.live and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            self.reap()
        return pid not in self.live

    def reap(self) -> None:
        """Collect every child that has ended: a keeper's exit code is kept; an adopted orphan is forgotten."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.live:
                self.forget(pid, os.waitstatus_to_exitcode(status))

    def forget(self, pid: int, code: int) -> None:
        self.codes[pid] = code
        self.live.pop(pid)  # (its folder goes in `clear`, once every process it started has gone too)

    def clear(self, everything: bool = False) -> None:
        """Kill every process here that is not a live keeper (orphans of student processes that ended, or
        whose keeper was killed), pass after pass, and remove every scratch folder not in use."""
        if everything:
            for pid in list(self.live):
                kill_quietly(pid)
        while True:
            self.reap()
            strays = [pid for pid in children(os.getpid()) if pid not in self.live]
            if not strays:
                break
            for pid in strays:
                kill_quietly(pid)
            time.sleep(POLL_SECONDS)
        in_use = {os.path.basename(folder) for folder in self.live.values()}
        left = [name for name in os.listdir(self.setup["scratch"]) if name not in in_use
                and not remove(os.path.join(self.setup["scratch"], name))]
        if left and not self.tainted:
            self.tainted = f"could not remove {len(left)} of what student processes left"


def main() -> None:
    setup = json.loads(os.environ["GRADER_SETUP"])
    control = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # inherited by every fork: no /proc/<pid>/mem, no ptrace
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a keeper re-raises its student's SIGSEGV: no core file
    sys.path += [folder for folder in setup["imports"] if folder not in sys.path]  # (python -I: its own only)
    import numpy  # noqa: F401 -- once, here, for every student process forked from now on

    Zygote(control, setup).serve()
