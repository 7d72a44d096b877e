"""Start the student process inside the strongest isolation this machine allows.

Layers, strongest first:
- bubblewrap: the process sees the system's libraries and the Python that runs the grader (read-only), a
  private /tmp, and nothing else: not the course repository (solutions/, the hidden checks, the grader, the
  gradebook), not the submission's folder, not the results file, not the network, no other process.
- landlock: where bubblewrap cannot run (no root and no user namespaces), the process restricts itself:
  it reads only the system and the Python installation, writes only its scratch folder, opens no TCP
  connection and signals no process outside itself (ABI 6+). Inside bubblewrap it does the same where the
  kernel has Landlock, so that it cannot touch the zygote or another student process's folder either.
  Under both, a seccomp filter refuses System V IPC, the keyring and metadata changes (seccomp.py).
- none: a separate process with resource limits and the keeper, and nothing else; the results say so.

Every student process is forked by a zygote (zygote.py) started under that layer: it has imported numpy
already, so a fresh student process costs a fork rather than a start of Python and numpy. A keeper kills
whatever a student process started when it ends, and the zygote, the subreaper of them all, kills anything
left and removes the process's scratch folder before it forks the next. One zygote serves one notebook
after another only where that is safe (`shares_zygote`); otherwise each notebook has its own.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from .inside import protocol
from .inside.landlock import abi_version
from .inside.protocol import Channel, Limits
from .inside.scratch import remove
from .inside.seccomp import machine as seccomp_machine

INSIDE = Path(__file__).resolve().parent / "inside"
# What the sandbox runs of the grader, from inside/ (standard library only), in this order:
STUDENT_SIDE = ("linux", "protocol", "landlock", "seccomp", "scratch", "worker", "zygote")
LAYERS = ("bubblewrap", "landlock")  # tried in this order when grading with a sandbox
SCOPED_ABI = 6  # the Landlock ABI that scopes signals to the process's own domain
CLOSE_SECONDS = 15  # for a zygote to clear up and exit (its keepers may take 10 s) before it is killed
PRIVATE_SCRATCH = True  # each student process's folder a tmpfs of its own where the kernel allows (scratch.py)
SCRATCH = "/tmp/scratch"  # inside bubblewrap: the student processes' folders, in the sandbox's private /tmp
# The sandbox's /tmp is memory. Where a student process cannot have a tmpfs of its own (no user namespaces
# inside bubblewrap), it writes straight into this one, and RLIMIT_FSIZE bounds each file, not their sum.
TMP_BYTES = 256 * 2**20
SYSTEM = ["/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/alternatives"]

# Environment of the student process: nothing of the grader's (tokens, paths) leaks in.
CLEAN_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "OPENBLAS_NUM_THREADS": "1",  # one thread: steadier timings, smaller memory footprint, same numbers
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    # Fixed thresholds (glibc otherwise moves them as memory is freed): arrays up to 32 MiB come from the heap,
    # and freed memory stays with the process, so that a call costs the same at every try and speed checks
    # measure the same each time (a fresh process pays for its memory's first use once).
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20),
}
for _name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine-specific numpy fixes must still apply
    if _name in os.environ:
        CLEAN_ENV[_name] = os.environ[_name]

# Loads the student side (inside/) from source under its package's name, so that its relative imports work,
# then runs the zygote.
BOOT = """
import sys, types
parts = PACKAGE.split(".")
for depth in range(1, len(parts) + 1):  # the package and its parents, empty: nothing else of the grader is here
    package = sys.modules[".".join(parts[:depth])] = types.ModuleType(".".join(parts[:depth]))
    package.__path__ = []
for name, source in SOURCES:
    module = types.ModuleType(PACKAGE + "." + name)
    module.__package__ = PACKAGE
    sys.modules[module.__name__] = module
    exec(compile(source, "<grader " + name + ">", "exec"), module.__dict__)
sys.modules[PACKAGE + ".zygote"].main()
"""


@functools.cache
def boot_code() -> str:
    sources = [(name, (INSIDE / f"{name}.py").read_text(encoding="utf-8")) for name in STUDENT_SIDE]
    return f"PACKAGE = {protocol.__package__!r}\nSOURCES = {sources!r}\n{BOOT}"


@functools.cache
def library_folders(libraries: tuple[str, ...] = Limits.libraries) -> list[str]:
    """The folders on this process's import path that hold the course's libraries (numpy, matplotlib...),
    whole: a package's compiled dependencies lie beside it (numpy.libs), and a folder that `pip install
    --target` filled (a bare runner's Python, autograder.py) is on no interpreter's own path. The student
    process reads them and imports from them."""
    found = []
    for name in libraries:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            folder = str(Path(spec.origin).resolve().parent.parent)
            if folder not in found:
                found.append(folder)
    return found


def python_roots() -> list[str]:
    """The folders the grader's Python and its packages live in: the student process must see them."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(sys.executable).resolve().parent.parent), *library_folders()}
    return sorted(r for r in roots if os.path.isdir(r) and not Path(r).is_relative_to("/usr"))


@functools.cache
def bwrap_sizes_tmpfs() -> bool:
    """Whether this bubblewrap bounds a tmpfs's size (`--size`, bubblewrap 0.5 and later)."""
    try:
        run = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in run.stdout + run.stderr


def bwrap_command() -> list[str]:
    tmp = ["--size", str(TMP_BYTES)] if bwrap_sizes_tmpfs() else []
    cmd = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
           "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
           "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
           "--dev", "/dev", "--proc", "/proc", *tmp, "--tmpfs", "/tmp", "--dir", SCRATCH, "--chdir", SCRATCH]
    for link in ("bin", "lib", "lib32", "lib64", "sbin"):  # merged-/usr systems keep these as symlinks
        path = Path("/", link)
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), str(path)]
    for root in python_roots():
        cmd += ["--ro-bind", root, root]
    return cmd + ["--remount-ro", "/", "--remount-ro", "/dev"]  # only the private /tmp stays writable
#   (a root under /tmp, such as a --target folder, is bound read-only inside it: hence SCRATCH, a folder of
#   its own, which the zygote empties between student processes)


@functools.cache
def bwrap_works() -> bool:
    """Whether bubblewrap is installed and allowed to create namespaces here (containers may forbid it)."""
    if shutil.which("bwrap") is None:
        return False
    probe = bwrap_command() + [sys.executable, "-I", "-S", "-c", "pass"]  # -S: start-up only, no imports
    try:
        return subprocess.run(probe, capture_output=True, timeout=30, env=CLEAN_ENV).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def exposed(paths: list[Path]) -> list[Path]:
    """Those of `paths` (the solutions, the hidden checks) that student code could read under either layer:
    a course repository under /usr, or inside the Python installation, is not hidden from it."""
    roots = [Path(r) for r in SYSTEM + python_roots()]
    return [p for p in paths if any(Path(p).resolve().is_relative_to(r) for r in roots)]


class ZygoteGone(Exception):
    """The zygote did not answer (student code may have stopped it where Landlock cannot prevent that), or
    would not fork: it could not clear up after a student process."""


class ZygoteHandle:
    """The grader's end of a zygote: started under the first layer of `layers` that works here."""

    def __init__(self, layers: tuple[str, ...]) -> None:
        bubblewrap = "bubblewrap" in layers and bwrap_works()
        self.layer = "bubblewrap" if bubblewrap else "landlock" if "landlock" in layers else "none"
        self._folder = None if bubblewrap else tempfile.mkdtemp(prefix="autograder-")
        root = SCRATCH if bubblewrap else self._folder  # inside bubblewrap, in a private /tmp
        setup = {"layer": self.layer, "scratch": root, "readable": SYSTEM + python_roots(),
                 "imports": library_folders(), "own_scratch": PRIVATE_SCRATCH,
                 "spin": protocol.SPIN_SECONDS}  # (none in a pool that keeps every core busy: classwide/grade_class.py)
        env = dict(CLEAN_ENV, HOME=root, MPLCONFIGDIR=root, GRADER_SETUP=json.dumps(setup))
        python = [sys.executable, "-I", "-c", boot_code()]
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(bwrap_command() + python if bubblewrap else python, stdin=theirs,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            cwd=None if bubblewrap else root, env=env, start_new_session=True)
        self.owner = os.getpid()
        self.tainted = ""  # why the zygote may not fork again: it could not clear up after a student process

    def usable(self) -> bool:
        return self.owner == os.getpid() and not self.tainted and self.process.poll() is None

    def fork(self, limits: Limits, seconds: float) -> tuple[int, Channel]:
        """A fresh student process: its id (for `end`) and the grader's channel to it."""
        to_student, from_grader = os.pipe()
        to_grader, from_student = os.pipe()
        try:
            reply = self._ask({"op": "fork", "limits": asdict(limits)}, seconds, [to_student, from_student])
        except ZygoteGone:
            os.close(to_grader)
            os.close(from_grader)
            raise
        finally:
            os.close(to_student)
            os.close(from_student)
        return int(reply["id"]), Channel(to_grader, from_grader)

    def end(self, pid: int, wait: float, seconds: float) -> int | None:
        """Wait up to `wait` seconds for a student process to end by itself, else stop it and all it started;
        its exit code (negative: the signal that ended it), or None when it had to be stopped."""
        code = self._ask({"op": "end", "id": pid, "wait": wait}, wait + seconds).get("code")
        return None if code is None else int(code)

    def _ask(self, request: dict, seconds: float, fds: list[int] = ()) -> dict:
        """The zygote's answer to `request`; ZygoteGone (and the zygote killed) if none comes in time."""
        if self.owner != os.getpid():  # a copy inherited by a forked process: the zygote is its parent's
            raise ZygoteGone
        try:
            self.control.settimeout(seconds)
            socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            data = self.control.recv(1 << 16)
            reply = json.loads(data) if data else None
        except (OSError, ValueError):
            reply = None
        if not isinstance(reply, dict):
            self.kill()  # it may have been stopped: waiting for it to clear up could take long
            raise ZygoteGone
        self.tainted = self.tainted or str(reply.get("tainted") or "")
        if reply.get("op") == "failed":
            raise ZygoteGone
        return reply

    def close(self) -> None:
        """End the zygote: told by its control socket closing, it kills every process under it and exits."""
        self.control.close()
        if self.owner != os.getpid():  # a copy inherited by a forked process: that was all it had to close
            return
        try:
            self.process.wait(timeout=CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
        self._remove_folder()

    def kill(self) -> None:
        """End the zygote at once. Under bubblewrap everything in its sandbox goes with it; otherwise its
        keepers go too, and their student processes with them (a student process's parent-death signal)."""
        self.control.close()
        if self.owner != os.getpid():
            return
        if self.process.poll() is None:  # (once reaped, its pid may be another process's)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._remove_folder()

    def _remove_folder(self) -> None:
        if self._folder is not None:
            remove(self._folder)  # never raises: what student code built there is no error of the grader's


_zygotes: dict[tuple[str, ...], ZygoteHandle] = {}


@functools.cache  # the kernel and the machine do not change while grading
def shares_zygote(layers: tuple[str, ...]) -> bool:
    """Whether one zygote may serve one student process after another (one notebook after another).

    Only where Landlock scopes signals (ABI 6+) and seccomp.py knows the machine: then a student process
    can write nothing outside its own folder, signal nothing outside itself, and use no System V IPC,
    keyring or metadata change (mode, times, extended attributes) to leave anything elsewhere, so the
    zygote's clear-up between two is all it takes. Otherwise student code could stop the
    zygote or leave something for the next student, so each `Student` has a zygote of its own (as costly
    as a fresh process). Without a sandbox it makes no difference.
    """
    return not layers or (abi_version() >= SCOPED_ABI and seccomp_machine() is not None)


def zygote(layers: tuple[str, ...]) -> ZygoteHandle:
    """This process's shared zygote for `layers`, started on first use and again if it has gone."""
    found = _zygotes.get(layers)
    if found is None or not found.usable():
        _zygotes.pop(layers, None)  # replaced, whatever ending the old one gives
        if found is not None and found.owner == os.getpid():
            with contextlib.suppress(Exception):
                found.kill()
        found = _zygotes[layers] = ZygoteHandle(layers)
    return found


def _forget_inherited() -> None:
    """In a child of os.fork (a pool's worker): the parent's zygotes are the parent's to use and to end."""
    for found in _zygotes.values():
        found.control.close()  # this copy only: the parent's zygote still sees its own end of the socket
    _zygotes.clear()


os.register_at_fork(after_in_child=_forget_inherited)


@atexit.register
def _close_zygotes() -> None:
    for found in _zygotes.values():
        found.close()
