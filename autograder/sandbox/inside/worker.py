"""The student process: runs a submission's answer cells and serves calls into them (see protocol.py).

Forked by the zygote (zygote.py), inside bubblewrap where it can run; it imports nothing of the grader but
protocol.py, landlock.py and seccomp.py. Before any student code runs it forks a keeper that outlives it
just long enough to kill whatever it started, limits its resources, restricts itself with Landlock where
the kernel has it (it may write only its own scratch folder), and gives up System V IPC, the keyring
and changes to files' metadata (seccomp.py).
"""

from __future__ import annotations

import contextlib
import copy
import os
import random
import signal
import sys
import traceback
import warnings
from typing import Any

from . import protocol
from .landlock import restrict
from .linux import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG
from .protocol import Channel, ChannelClosed, Limits, decode, encode
from .scratch import private
from .seccomp import deny_shared_stores

DEVICES = [os.devnull, "/dev/zero", "/dev/urandom"]  # what student code may still open outside its folder
FILE_BYTES = 16 * 2**20  # the largest file student code may write in its scratch folder


class BoundedText:
    """A stand-in for sys.stdout/sys.stderr that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.limit, self.kept, self.dropped = limit, 0, 0

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.kept
        self.parts.append(text[:room])
        self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - room)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        out = "".join(self.parts)
        return out + (f"\n... ({self.dropped} more characters cut)" if self.dropped else "")


def student_trace(exc: BaseException) -> list[str]:
    """The traceback lines that point into the student's own cells, nothing of the grader's."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell ")]
    return [f"{f.filename[1:-1]}, line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames]


def describe_error(exc: BaseException) -> dict:
    text = str(exc)
    if isinstance(exc, SyntaxError):
        text = f"{exc.msg} (line {exc.lineno}: {(exc.text or '').strip()})"
    trace = student_trace(exc)[-5:]
    if isinstance(exc, RecursionError):  # Python words it after whatever operation hit the limit: say it one way
        text = "maximum recursion depth exceeded: functions that call themselves, or each other, without end"
        trace = student_trace(exc)[:3]  # where the cycle begins (its end falls wherever the limit is hit)
    return {"type": type(exc).__name__, "message": text[:500], "trace": trace}


def plain_state(obj: Any) -> Any:
    """The instance attributes that can cross the wire (weights, bias...)."""
    import numpy as np

    plain = (int, float, bool, np.ndarray, np.generic)
    return encode({name: value for name, value in vars(obj).items() if isinstance(value, plain)})


class CourseLibraries:
    """An import hook: student code imports the standard library and the course's libraries, nothing else,
    whatever else is installed where it is graded, so that a grade does not depend on the machine. The
    libraries' own imports are theirs to make."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = set(allowed) | set(sys.stdlib_module_names)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.partition(".")[0] in self.allowed:
            return None
        frame = sys._getframe(1)
        while frame is not None and "importlib" in frame.f_code.co_filename:
            frame = frame.f_back
        if frame is not None and frame.f_code.co_filename.startswith("<cell "):
            raise ModuleNotFoundError(f"No module named '{fullname}'", name=fullname)
        return None


class Worker:
    def __init__(self, channel: Channel, limits: Limits) -> None:
        self.channel, self.limits = channel, limits
        self.namespaces: dict[str, dict[str, Any]] = {}  # one per point of the notebook a check sees (program.py)
        self.kept: tuple = ([], {}, [], {})  # the last call's arguments, kept when it asked ("keep")

    def namespace(self, key: object) -> dict[str, Any]:
        import numpy as np

        key = str(key or "")
        if key not in self.namespaces:  # the notebooks' given import, even where a student deleted it
            self.namespaces[key] = {"__name__": "__main__", "__builtins__": __builtins__, "np": np}
        return self.namespaces[key]

    def serve(self) -> None:
        sys.meta_path.insert(0, CourseLibraries(tuple(self.limits.libraries)))
        timed = False
        while True:
            try:  # after a timed call, no polling: the grader reads the CPU time just after the reply
                message = self.channel.receive(spin=0.0 if timed else None)
            except ChannelClosed:
                os._exit(0)  # the grader has gone: nothing left to do
            timed = bool(message.get("timed"))
            self.channel.send(self.handle(message))

    def handle(self, message: dict) -> dict:
        output = BoundedText(self.limits.output_chars)
        sys.stdout = sys.stderr = output
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                reply = self.run(message)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
            reply = {"op": "error", "error": describe_error(exc)}
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply["stdout"] = output.text()
        reply["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:10]
        return reply

    def run(self, message: dict) -> dict:
        if message["op"] == "echo":  # taken in and sent back: what moving a call's arguments and answer costs
            return {"op": "echo", "args": encode(decode(message.get("args")))}
        if message["op"] == "exec":
            return self.exec(message)
        return self.call(message)

    def exec(self, message: dict) -> dict:
        """Run a cell whole (an exception is the reply), or some of its top-level statements, each on its own."""
        import ast
        import linecache

        name, source = f"<cell {message['cell']}>", str(message["source"])
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        namespace = self.namespace(message.get("namespace"))
        if message.get("statements") is None:
            exec(compile(source, name, "exec"), namespace)
            return {"op": "done"}
        body, errors = ast.parse(source, name).body, {}
        for number in message["statements"]:
            try:
                exec(compile(ast.Module([body[number]], []), name, "exec"), namespace)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
                errors[str(number)] = describe_error(exc)
        return {"op": "done", "errors": errors}

    def call(self, message: dict) -> dict:
        import numpy as np

        np.seterr(all="warn", under="ignore")  # numpy's defaults, whatever a cell set at top level
        np.random.seed(message.get("seed", 0))
        scope, _, member = message["target"].rpartition(".")
        calls: dict[str, int] = {}
        if message.get("again"):  # the same arguments as the call that kept them, without sending them again
            args, kwargs, init, state = self.kept
            state = copy.deepcopy(state)  # (a method may change its instance's arrays in place)
        else:
            args, kwargs = decode(message.get("args") or []), decode(message.get("kwargs") or {"__dict__": {}})
            init, state = decode(message.get("init") or []), decode(message.get("state") or {"__dict__": {}})
            if message.get("keep"):
                self.kept = args, kwargs, init, state
        namespace = self.namespace(message.get("namespace"))
        if (scope or member) not in namespace:
            return {"op": "missing", "name": scope or member}
        if scope:  # a method: build an instance with the student's __init__, then set the given state
            cls = namespace[scope]
            if not callable(getattr(cls, member, None)):
                return {"op": "missing", "name": message["target"]}
            obj = cls(*init)
            for attr, value in state.items():
                setattr(obj, attr, value)
        else:
            obj = None
        # Stand-ins: instance attributes shadow a class's methods; module-level neighbours are swapped in
        # the namespace for the length of the call.
        replacements = {name: self.standin(name, calls, obj) for name in message.get("standins", [])}
        replacements.update({name: self.constant(name, calls, value)
                             for name, value in message.get("constants", {}).items()})
        missing = object()
        saved = {} if scope else {name: namespace.get(name, missing) for name in replacements}
        for name, function in replacements.items():
            if scope:
                setattr(obj, name, function)
            else:
                namespace[name] = function
        try:
            function = getattr(obj, member) if scope else namespace[member]
            value = function(*args, **kwargs)
        finally:
            for name, original in saved.items():
                if original is missing:
                    namespace.pop(name, None)
                else:
                    namespace[name] = original
        # (a call "again" is the reference's, timed: its answer is known, and sending it back is not its cost)
        reply = {"op": "result", "value": None if message.get("again") else encode(value), "calls": calls}
        if obj is not None:
            reply["state"] = plain_state(obj)
        return reply

    @staticmethod
    def constant(name: str, calls: dict[str, int], value: Any):
        value = decode(value)  # once: decoding costs far more than copying, and timed code calls this often

        def same_answer(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            return copy.deepcopy(value)  # a fresh copy each time: changing it in place changes nothing

        same_answer.__name__ = name
        return same_answer

    def standin(self, name: str, calls: dict[str, int], obj: Any):
        def call_reference(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            state = plain_state(obj) if obj is not None else encode({})
            self.channel.send({"op": "standin", "name": name, "args": encode(list(args)),
                               "kwargs": encode(kwargs), "state": state})
            answer = self.channel.receive()
            if answer["op"] == "raise":
                raise RuntimeError(answer["message"])
            return decode(answer["value"])

        call_reference.__name__ = name
        return call_reference


def limit_resources(limits: Limits) -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails with an error, not a kill
    for limit, value in ((resource.RLIMIT_AS, limits.memory_bytes), (resource.RLIMIT_CPU, limits.cpu_seconds),
                         (resource.RLIMIT_FSIZE, FILE_BYTES), (resource.RLIMIT_CORE, 0),
                         (resource.RLIMIT_MSGQUEUE, 0)):  # no POSIX message queue to outlive it
        with contextlib.suppress(ValueError, OSError):  # a limit the platform lacks: the deadline still holds
            resource.setrlimit(limit, (value, value))


def keep_descendants(channel_fds: tuple[int, int]) -> None:
    """Fork: the child goes on as the student process; this process stays behind as its keeper.

    The keeper is a child subreaper, so every process the student's code starts (double-forked and in a
    new session included) is re-parented to it when its parent dies. When the student process ends, or
    the zygote asks with SIGTERM (or ends), the keeper kills them all, then exits with the student
    process's status.
    Student code cannot signal the keeper where Landlock scopes its signals to its own domain (ABI 6+).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    zygote = os.getppid()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)  # if the zygote ends, end as if it had asked
    if os.getppid() != zygote:
        os._exit(1)
    child = os.fork()
    if child == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the keeper gone, the student process goes too
        os.setpgid(0, 0)
        return
    for fd in channel_fds:
        os.close(fd)
    reaped = False
    signal.signal(signal.SIGTERM, lambda *_: reaped or kill_quietly(child))  # never a reused pid
    status = 0
    while not reaped:  # reap re-parented orphans until the student process itself ends
        pid, status = os.waitpid(-1, 0)
        reaped = pid == child
    while True:  # then kill every process left and reap them all, pass after pass, until none is left
        for pid in children(os.getpid()):
            kill_quietly(pid)
        try:
            os.waitpid(-1, 0)
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            break
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # end the way the student process ended, so that the grader reads the same signal
        with contextlib.suppress(OSError, ValueError):  # SIGKILL keeps its default anyway
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 128 - code  # still here: a signal ignored by default, reported as bubblewrap reports one
    os._exit(code)


def kill_quietly(pid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{entry}/stat") as stat:
                if int(stat.read().rpartition(")")[2].split()[1]) == parent:
                    found.append(int(entry))
    return found


def run_student(channel_fds: tuple[int, int], limits: dict, setup: dict, scratch: str) -> None:
    """In a child of the zygote: become the keeper and the student process, then serve the grader."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the student's prints go to a bounded buffer; C-level output goes nowhere
        os.dup2(devnull, fd)
    os.close(devnull)
    # A tmpfs of its own over its folder, for the keeper and the student process: gone with the last of them.
    own_scratch = setup["layer"] != "none" and setup["own_scratch"] and private(scratch)
    keep_descendants(channel_fds)  # returns in the student process; the keeper stays behind
    limits = Limits(**limits)
    limit_resources(limits)
    os.chdir(scratch)
    os.environ.update(HOME=scratch, MPLCONFIGDIR=scratch, TMPDIR=scratch)
    random.seed()  # every fork would otherwise draw the zygote's numbers
    isolation = setup["layer"]
    if isolation != "none":  # inside bubblewrap too: it keeps one student process from another's folder
        try:
            applied = restrict(setup["readable"] + DEVICES, [scratch, os.devnull])
        except OSError:
            applied = 0
        isolation = "none" if isolation == "landlock" and not applied else isolation
        deny_shared_stores()  # no System V IPC, keyring, or change of a file's mode, owner, times or xattrs
    protocol.SPIN_SECONDS = float(setup.get("spin", protocol.SPIN_SECONDS))  # the grader's: it knows if cores are free
    channel = Channel(*channel_fds)
    channel.send({"op": "ready", "isolation": isolation, "pid": os.getpid(), "own_scratch": own_scratch})
    Worker(channel, limits).serve()
