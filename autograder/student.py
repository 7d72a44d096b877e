"""The grader's handle on a submission: calls into the student's code, which runs in another process.

`Student.call("LogisticRegressionNN.compute_cost", X, y, init=(3,), state={...})` builds an instance in
the student process, sets its state, replaces the other graded members by the reference's (no cascade),
calls the method and returns an `Outcome` of plain data. Expected values, the reference's code and the
comparisons stay in this process, where student code never runs.

Every call has a deadline. A submission that loops, crashes, exits or floods its output loses the check
under way; the process is killed and a fresh one is started for the next check, and a function that
timed out once fails its later checks at once instead of costing the same wait again.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .feedback import StudentError, StudentTimeout
from .notebook import Assignment, Cell
from .reference import Outcome, Reference
from .sandbox import start_worker
from .worker import decode, encode, read_line

Standin = Callable[[dict, list, dict], Any]  # (state, args, kwargs) -> value


class _Stopped(Exception):
    """The student process timed out, died or broke the protocol; the message says which, for the student."""


class _TimedOut(_Stopped):
    pass


@dataclass(frozen=True)
class Constant:
    """A stand-in that returns the same value at every call, answered inside the student process.

    For checks that call a stand-in many times (1000 epochs of `train`): no round trip per call.
    """

    value: Any


class Student:
    def __init__(self, assignment: Assignment, answers: list[Cell], problems: dict[str, str],
                 reference: Reference, *, sandbox: bool = True, memory_bytes: int = 2**30,
                 cell_timeout: float = 5.0) -> None:
        self.assignment, self.answers, self.reference = assignment, answers, reference
        self.problems = dict(problems)  # answer cell id -> why its code is not (fully) there
        self.broken: dict[str, StudentError] = {}  # qualified name -> why it fails at once from now on
        self.sandbox, self.memory_bytes, self.cell_timeout = sandbox, memory_bytes, cell_timeout
        self.deadline: float | None = None  # set per check by the pytest plugin
        self.time_limit: float | None = None  # the check's time limit, for messages
        self.last: Outcome | None = None  # the latest call's outcome, for its printed output and warnings
        self.isolation = "not started"
        self._process: subprocess.Popen | None = None
        self._buffer = bytearray()
        self._loaded = False
        self._left_out: set[str] = set()  # answer cells that hung or killed the process when run
        self._workdir: tempfile.TemporaryDirectory | None = None  # its scratch folder, unsandboxed
        self._start()  # now, so that the student process imports numpy while pytest collects

    # -- the public call ------------------------------------------------------------------------------
    def call(self, target: str, *args: Any, init: tuple = (), state: dict | None = None,
             kwargs: dict | None = None, standins: dict[str, Standin | Constant] | None = None, own: bool = False,
             seed: int = 0, timeout: float | None = None) -> Outcome:
        """Call the student's `target` ("Class.method" or "function"); raises StudentError if it fails.

        Other graded members of the same class (or module) are the reference's unless `own` is true;
        `standins` overrides or adds members: a function (state, args, kwargs) -> value run here, or a
        `Constant` answered in the student process.
        """
        if target in self.broken:
            raise self.broken[target]
        loading = time.monotonic()
        self._load()  # (re)starting the process and running the cells is not charged to the check
        loaded = time.monotonic() - loading
        scope, _, member = target.rpartition(".")
        stand = {} if own else {n: self.reference.standin(scope, n) for n in self.reference.members(scope)
                                if n != member}
        stand.update(standins or {})
        constants = {name: encode(s.value) for name, s in stand.items() if isinstance(s, Constant)}
        message = {"op": "call", "target": target, "args": encode(list(args)), "kwargs": encode(kwargs or {}),
                   "init": encode(list(init)), "state": encode(state or {}), "seed": seed,
                   "standins": sorted(set(stand) - set(constants)), "constants": constants}
        deadline = self._deadline(timeout) + loaded
        try:
            self._send(message, deadline)
            while True:
                reply = self._receive(deadline)
                if reply.get("op") != "standin":
                    break
                self._send(self._answer_standin(stand, reply, target), deadline)
            outcome = Outcome(decode(reply.get("value")), decode(reply.get("state") or {"__dict__": {}}),
                              str(reply.get("stdout", "")), [str(w) for w in reply.get("warnings", [])],
                              {str(k): int(v) for k, v in dict(reply.get("calls", {})).items()},
                              float(reply.get("elapsed", 0.0)))
        except _Stopped as stop:
            self._kill()
            error = (StudentTimeout if isinstance(stop, _TimedOut) else StudentError)(f"{target} {stop}")
            self.broken[target] = error
            raise error from None
        except (ValueError, TypeError, AttributeError):
            self._kill()
            raise StudentError(f"{target}: the student process sent malformed data back.") from None
        self.last = outcome
        if reply["op"] == "missing":
            raise StudentError(self._missing(str(reply.get("name"))))
        if reply["op"] == "error":
            raise StudentError(self._raised(target, reply.get("error", {})))
        return outcome

    def close(self) -> None:
        """End the student process (a later call starts a fresh one)."""
        self._kill()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    # -- explaining failures --------------------------------------------------------------------------
    def _missing(self, name: str) -> str:
        scope, _, member = name.rpartition(".")
        if scope:
            return f"{scope} has no method {member}: was it renamed or deleted? The checks call `{name}`."
        cell = self.assignment.defined_in(name)
        if cell in self.problems:
            return f"{name} is not defined, because: {self.problems[cell]}"
        return f"{name} is not defined in your notebook: the answer cell '{cell}' must define it (renamed?)."

    @staticmethod
    def _raised(target: str, error: dict) -> str:
        kind, text = str(error.get("type", "Exception")), str(error.get("message", ""))
        if kind == "NotImplementedError" and not text:
            return f"{target} is not written yet: it still raises NotImplementedError."
        lines = [f"{target} raised {kind}: {text}".rstrip(": ")]
        lines += [f"  at {line}" for line in error.get("trace", [])[-3:]]
        return "\n".join(lines)

    def _answer_standin(self, stand: dict[str, Standin], request: dict, target: str) -> dict:
        name = str(request.get("name"))
        try:
            state, args, kwargs = (decode(request.get(k)) for k in ("state", "args", "kwargs"))
            state = state if isinstance(state, dict) else {}
            return {"op": "value", "value": encode(stand[name](state, list(args), dict(kwargs)))}
        except Exception as exc:  # the student's code passed arguments the reference cannot take
            return {"op": "raise", "message": (
                f"while {target} was checked, the grader's correct `{name}` stood in for yours and could not "
                f"take the arguments your code passed it ({type(exc).__name__}: {str(exc)[:200]})")}

    # -- the process ----------------------------------------------------------------------------------
    def _deadline(self, timeout: float | None) -> float:
        now = time.monotonic()
        deadline = self.deadline if self.deadline is not None else now + 10.0
        return min(deadline, now + timeout) if timeout else deadline

    def _start(self) -> None:
        if self._workdir is None:
            self._workdir = tempfile.TemporaryDirectory(prefix="autograder-")
        self._process, self.isolation = start_worker(self.sandbox, self.memory_bytes, self._workdir.name)
        os.set_blocking(self._process.stdin.fileno(), False)
        os.set_blocking(self._process.stdout.fileno(), False)
        self._buffer, self._loaded = bytearray(), False

    def _load(self) -> None:
        """Run the answer cells in a fresh process; a cell that hangs or kills it is left out next time."""
        while not self._loaded:
            if self._process is None:
                self._start()
            try:
                ready = self._receive(time.monotonic() + 60)
                if ready.get("op") != "ready":
                    raise _Stopped("could not start: the student process did not answer.")
            except _Stopped as stop:
                self._kill()
                raise RuntimeError(f"the student process could not start ({stop})") from None
            for cell in self.answers:
                if cell.grade_id in self._left_out:
                    continue
                try:
                    self._send({"op": "exec", "cell": cell.grade_id, "source": cell.source},
                               time.monotonic() + self.cell_timeout)
                    reply = self._receive(time.monotonic() + self.cell_timeout)
                except _Stopped as stop:
                    self._left_out.add(cell.grade_id)
                    what = (f"did not finish within {self.cell_timeout:g} s when run" if isinstance(stop, _TimedOut)
                            else str(stop).rstrip("."))
                    self.problems[cell.grade_id] = (
                        f"your cell '{cell.grade_id}' {what}, so the grader left it out: keep answer cells to "
                        "definitions, with no long-running code at their top level.")
                    self._kill()
                    break
                if reply.get("op") == "error":
                    self.problems.setdefault(cell.grade_id, f"your cell '{cell.grade_id}' raised an error when run: "
                                             + self._raised("it", reply.get("error", {})).removeprefix("it raised "))
            else:
                self._loaded = True

    def _send(self, message: dict, deadline: float) -> None:
        data = (json.dumps(message) + "\n").encode()
        fd = self._process.stdin.fileno()
        while data:
            if not select.select([], [fd], [], max(0.0, deadline - time.monotonic()))[1]:
                raise _TimedOut(self._timed_out())
            try:
                data = data[os.write(fd, data):]
            except BrokenPipeError:
                raise _Stopped(self._ended()) from None

    def _receive(self, deadline: float) -> dict:
        try:
            line = read_line(self._process.stdout.fileno(), self._buffer, deadline)
        except TimeoutError:
            raise _TimedOut(self._timed_out()) from None
        except ValueError:
            raise _Stopped("wrote too much data to the grader's channel.") from None
        if line is None:
            raise _Stopped(self._ended())
        try:
            reply = json.loads(line)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            raise _Stopped("wrote something that is not the grader's protocol to the grader's channel.")
        return reply

    def _timed_out(self) -> str:
        limit = f"within the {self.time_limit:g} s a check may take" if self.time_limit else "in time"
        return (f"did not finish {limit} (an endless loop, or a very slow one?); it was stopped. Later checks "
                "of it fail at once.")

    def _ended(self) -> str:
        try:
            code = self._process.wait(timeout=2) if self._process else None
        except subprocess.TimeoutExpired:
            return "closed the grader's channel, so the check could not finish."
        if code is not None and code > 128:  # bubblewrap reports a signal as 128 + its number
            code = 128 - code
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            why = {"SIGKILL": "it was killed, likely for using too much memory", "SIGXCPU": "it ran out of CPU time",
                   "SIGSEGV": "a crash (segmentation fault)"}.get(name, f"it was ended by {name}")
            return f"ended the student process: {why}."
        return (f"ended the student process (exit status {code}): os._exit, os.abort and the like stop the "
                "whole program, so the remaining checks of it could not run.")

    def _kill(self) -> None:
        process, self._process = self._process, None
        self._buffer, self._loaded = bytearray(), False
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for pipe in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
