"""The grader's handle on a submission: calls into the student's code, which runs in another process.

`Student.call("LogisticRegressionNN.compute_cost", X, y, init=(3,), state={...})` builds an instance in
the student process, sets its state, lets the reference stand in for the graded members that the
reference's own `compute_cost` calls (no cascade, and no oracle for anything else), calls the method and
returns an `Outcome` of plain data. Expected values, the reference's code and the comparisons stay in this
process, where student code never runs.

Every call runs inside a check (`with student.check(seconds) as run:`), which sets its deadline. A
submission that loops, crashes, exits or floods its output loses the check under way; the process is
killed and a fresh one is started for the next check, and a function that timed out once fails its later
checks at once instead of costing the same wait again.
"""

from __future__ import annotations

import contextlib
import json
import re
import resource
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..sandbox import cpu
from ..sandbox.inside.protocol import KEEPER_SECONDS, Channel, ChannelClosed, Limits, Outcome, decode, encode
from ..sandbox.launch import LAYERS, ZygoteGone, ZygoteHandle, shares_zygote, zygote
from .feedback import StudentError, StudentTimeout
from .mistakes import raised_cause
from .notebook import read_cells
from .program import MAIN, Exec, Program
from .reference import Reference

Standin = Callable[[dict, list, dict], Any]  # (state, args, kwargs) -> value
MAX_LEFT_OUT = 3  # steps that may hang when the notebook is loaded before the rest not yet run is left out too
STARTUP_SECONDS = 60  # a cold start of Python and numpy on a loaded machine; a normal one takes ~0.1 s
STANDIN_MEMORY = 2**30  # bytes the reference may allocate while it answers a stand-in, in this process
PROBE_FLOATS = 2**15  # the size of the array that measures the channel, before any student code runs
WATCH_SECONDS = 0.02  # how often a timed call's CPU time is read while it runs
STARVED_FACTOR = 4  # a call the busy machine starved of CPU may run this many times its wall-clock time
EXCEPTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")
UNDEFINED = re.compile(r"name '([A-Za-z_]\w*)' is not defined")
NUMPY_ONLY = ("This course is graded with NumPy and the Python standard library only, wherever it is graded: "
              "write it with NumPy.")


class _Stopped(Exception):
    """The student process timed out, died or broke the protocol; the message says which, for the student."""


class _TimedOut(_Stopped):
    pass


class _OverCPU(_TimedOut):
    """A timed call used more CPU time than it was allowed."""


class _Violation(_Stopped):
    """The student process asked for something the call does not offer (a stand-in it has not)."""


@dataclass(frozen=True)
class Constant:
    """A stand-in that returns the same value at every call, answered inside the student process.

    For checks that call a stand-in many times (1000 epochs of `train`), and for timing the student's own
    code: no round trip per call, so it costs every submission the same.
    """

    value: Any


@dataclass
class CheckRun:
    """One check under way: its deadline and the outcomes of its calls (the last one's output is shown)."""

    seconds: float
    deadline: float
    function: str | None = None  # the graded function the check belongs to
    outcomes: list[Outcome] = field(default_factory=list)


class Student:
    def __init__(self, program: Program, reference: Reference, *, layers: tuple[str, ...] = LAYERS,
                 limits: Limits | None = None) -> None:
        self.program, self.assignment, self.reference = program, program.assignment, reference
        self.problems = program.notes()  # cell -> why its code is not (fully) there
        self.broken: dict[str, StudentError] = {}  # qualified name -> why it fails at once from now on
        self.failed: dict[int, tuple[str, str]] = {}  # definition that raised or hung when run -> (why, mistake)
        self.layers, self.limits = layers, limits or Limits()
        self.isolation = "not started"
        self.own_scratch = False
        self._run: CheckRun | None = None
        self._process: tuple[ZygoteHandle, int] | None = None  # the zygote that forked the student process, and its id
        self._own_zygote: ZygoteHandle | None = None
        self._channel: Channel | None = None
        self._cpu_per_byte: float | None = None  # the student process's CPU time per byte moved, measured
        #                                          before any student code ran
        self._keeper: cpu.Keeper | None = None  # the student process's keeper, found before student code ran
        self._twin: Student | None = None  # the reference's code, run as the student's is (`reference_run`)
        self._loaded = False
        self._left_out: set[tuple] = set()  # steps (cell, statements) that hung or killed the process when run
        self._finished: set[tuple] = set()  # steps seen to finish
        self._split: set[str] = set()  # cells whose statements run one at a time, after one of them hung
        self._start()  # now, so that the student process is ready when the first check runs

    @contextlib.contextmanager
    def check(self, seconds: float | None = None, function: str | None = None) -> Iterator[CheckRun]:
        """The span of one check of `function`: every call in it shares one deadline, and sees the notebook
        as Run All would have it at that function's check cell."""
        seconds = seconds or self.limits.check_seconds
        self._run = CheckRun(seconds, time.monotonic() + seconds, function)
        try:
            yield self._run
        finally:
            self._run = None

    # -- the public calls -----------------------------------------------------------------------------
    def call(self, target: str, *args: Any, init: tuple = (), state: dict | None = None,
             kwargs: dict | None = None, standins: dict[str, Standin | Constant] | None = None, own: bool = False,
             seed: int = 0, cpu_limit: float | None = None, keep: bool = False, again: bool = False) -> Outcome:
        """Call the student's `target` ("Class.method" or "function"); raises StudentError if it fails.

        The graded members that the reference's `target` calls are the reference's, unless `own` is true;
        everything else is the student's own. `standins` overrides or adds members: a function
        (state, args, kwargs) -> value run here, or a `Constant` answered in the student process.

        A call with a `cpu_limit` (seconds) is timed: the grader reads the CPU time of the student's
        processes from the kernel (sandbox/cpu.py) into `Outcome.cpu_seconds`, and stops the call once it has used
        more than `cpu_limit`, or at the check's deadline. Such a call is slow, not broken, so later checks
        still call it; its StudentTimeout carries the CPU time it had used (`cpu_seconds`).

        With `keep`, the process keeps this call's arguments; with `again`, a call takes the kept ones, not
        `args`, and sends no value back, so that moving neither is timed. Only for trusted code
        (`least_cpu_seconds`): a student's code could do the work when the arguments arrive.
        """
        if target in self.broken:
            raise self.broken[target]
        loading = time.monotonic()
        self._load()  # (re)starting the process and running the cells is not charged to the check
        loaded = time.monotonic() - loading
        scope = target.rpartition(".")[0]
        stand = {} if own else {n: self.reference.standin(scope, n) for n in self.reference.calls(target)}
        stand.update(standins or {})
        stand.pop(target.rpartition(".")[2], None)  # the function under check is always the student's own
        constants = {name: encode(s.value) for name, s in stand.items() if isinstance(s, Constant)}
        function = self._run.function if self._run else None
        message = {"op": "call", "target": target, "namespace": self.program.namespace_of.get(function, MAIN),
                   "seed": seed, "standins": sorted(set(stand) - set(constants)), "constants": constants,
                   "keep": keep, "again": again, "timed": cpu_limit is not None}
        if not again:
            message.update(args=encode(list(args)), kwargs=encode(kwargs or {}), init=encode(list(init)),
                           state=encode(state or {}))
        deadline = self._deadline(None) + loaded
        timed, used, stop_at = cpu_limit is not None, 0.0, None
        try:
            if timed:
                keeper = self._watched(target)
                used, stop_at = keeper.seconds(), keeper.student_seconds() + cpu_limit
            started, answering = time.monotonic(), 0.0
            since = None if timed else self._cpu_mark(started, deadline)
            offered = set(message["standins"])
            self._send(message, deadline)
            while (reply := self._receive(deadline, stop_at, since)).get("op") == "standin":
                answer, computing = self._answer_standin(stand, offered, reply, target)
                answering += computing  # the reference's own work only: never the grader's reading of the request
                self._send(answer, deadline)
            outcome = Outcome.from_reply(reply, time.monotonic() - started - answering)
            outcome.target = target
            if timed:
                outcome.cpu_seconds = keeper.seconds() - used
        except cpu.Gone:
            self._kill()
            raise StudentError(f"{target}: the student process's keeper ended while it was timed (student code "
                               "can end it only where the sandbox is weak); the call counts as failed.",
                               mistake="process-ended") from None
        except _Stopped as stop:
            spent = 0.0
            with contextlib.suppress(cpu.Gone):
                spent = keeper.seconds() - used if timed and self._process else 0.0
            self._kill()
            if isinstance(stop, _TimedOut):
                error = StudentTimeout(f"{target} {stop}", "timeout")
                error.cpu_seconds = spent
            elif isinstance(stop, _Violation):
                error = StudentError(f"{target} {stop}", "malformed-reply")
            else:
                error = StudentError(f"{target} {stop}", "process-ended")
            if not timed:
                self.broken[target] = error
            raise error from None
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
            self._kill()
            raise StudentError(f"{target}: the student process sent malformed data back.",
                               mistake="malformed-reply") from None
        if self._run is not None:
            self._run.outcomes.append(outcome)
        if reply["op"] == "missing":
            raise StudentError(*self._missing(str(reply.get("name")), function))
        if reply["op"] == "error":
            raise self._raised(target, reply.get("error"), function)
        return outcome

    def transfer_seconds(self, *args: Any, kwargs: dict | None = None, answer: Any = None) -> float:
        """The student process's CPU time for taking in these arguments and sending back an answer the size
        of `answer` (the reference's: the student's could be padded), from what moving values cost before any
        student code ran (student code could slow a later measurement): taken off a timed call's."""
        self._load()
        return (self._cpu_per_byte or 0.0) * (len(json.dumps(encode([list(args), kwargs or {}])))
                                     + len(json.dumps(encode(answer))))

    def least_cpu_seconds(self, target: str, *args: Any, init: tuple = (), state: dict | None = None,
                          kwargs: dict | None = None, times: int = 3, cpu_limit: float = 60.0) -> float:
        """The least CPU time of `times` calls of `target`, its own code throughout, on arguments sent once
        (a first call takes them in, untimed) and answers not sent back. Only for trusted code: the
        reference's, in `reference_run`."""
        with self.check(cpu_limit * (times + 1)):  # (the deadline of all the calls together)
            self.call(target, *args, init=init, state=state, kwargs=kwargs, own=True, keep=True)
            return min(self.call(target, own=True, cpu_limit=cpu_limit, again=True).cpu_seconds for _ in range(times))

    def reference_run(self) -> Student:
        """The reference's own code (the source notebook's), run in a process like the student's: the
        same sandbox, limits and zygote, so that a speed check measures both the same way."""
        if self._twin is None:
            source = Program.of(self.assignment, read_cells(self.assignment.path))
            self._twin = Student(source, self.reference, layers=self.layers, limits=self.limits)
        return self._twin

    def restart(self) -> None:
        """A fresh student process for the next call: nothing a call left in memory (a cache) survives."""
        self._kill()

    def close(self) -> None:
        """End the student process and everything it started (a later call starts afresh), and this
        submission's own zygote if it has one."""
        self._kill()
        if self._twin is not None:
            self._twin.close()
            self._twin = None
        if self._own_zygote is not None:
            self._own_zygote.close()
            self._own_zygote = None

    def _zygote(self) -> ZygoteHandle:
        """The zygote to fork from: this process's shared one where Landlock keeps student processes apart,
        else one of this submission's own (sandbox.shares_zygote)."""
        if shares_zygote(self.layers):
            return zygote(self.layers)
        if self._own_zygote is None or not self._own_zygote.usable():
            if self._own_zygote is not None:
                with contextlib.suppress(Exception):
                    self._own_zygote.kill()
            self._own_zygote = ZygoteHandle(self.layers)
        return self._own_zygote

    # -- explaining failures --------------------------------------------------------------------------
    def _missing(self, name: str, function: str | None) -> tuple[str, str]:
        """Why `name` is not there, and the mistake: "missing", or how its cell ended ("timeout"...)."""
        scope, _, member = name.rpartition(".")
        if scope:
            return f"{scope} has no method {member}: was it renamed or deleted? The checks call `{name}`.", "missing"
        if found := self.program.explain(name, function, self.failed):
            return found
        cell = self.assignment.defined_in(name)
        return (f"{name} is not defined anywhere in your notebook: it belongs in the answer cell '{cell}' (was it "
                "deleted, or the name changed?).", "missing")

    def _raised(self, target: str, error: Any, function: str | None = None) -> StudentError:
        error = error if isinstance(error, dict) else {}
        kind, text = str(error.get("type", "Exception")), str(error.get("message", ""))
        if kind == "NotImplementedError" and not text:
            return StudentError(f"{target} is not written yet: it still raises NotImplementedError.",
                                mistake="not-written")
        lines = [f"{target} raised {kind}: {text}".rstrip(": ")]
        # The exception's class is the student's: its name goes into a mistake id only if it is a plain one.
        mistake = f"raised-{kind if EXCEPTION_NAME.fullmatch(kind) else 'Exception'}"
        if kind == "ModuleNotFoundError":
            lines.append(NUMPY_ONLY)
            mistake = "non-course-library"
        elif kind == "NameError" and (name := UNDEFINED.match(text)) and \
                (found := self.program.explain(name[1], function, self.failed)):
            lines.append(found[0])
            mistake = found[1]
        cause = raised_cause(kind, text) if mistake.startswith("raised-") else None
        trace = error.get("trace")
        lines += [f"  at {line}" for line in (trace if isinstance(trace, list) else [])[-3:]]
        if cause:  # what the exception's message means, after where it happened
            mistake = cause[0]
            lines.append(cause[1])
        return StudentError("\n".join(lines), mistake=mistake)

    def _answer_standin(self, stand: dict[str, Standin], offered: set[str], request: dict,
                        target: str) -> tuple[dict, float]:
        """The answer to a stand-in's request, and the seconds the reference took to compute it. A request
        for a member this call does not offer is refused before anything in it is read: the student chose
        its size, and the grader's time spent reading it must count neither for nor against the call."""
        name = request.get("name")
        if not isinstance(name, str) or name not in offered:
            raise _Violation("broke the grader's protocol: while it ran, the student process asked the grader "
                             f"to answer `{str(name)[:60]}`, which this check does not offer.")
        try:
            state, args, kwargs = (decode(request.get(k)) for k in ("state", "args", "kwargs"))
            state = state if isinstance(state, dict) else {}
            started = time.monotonic()
            with _memory_capped(STANDIN_MEMORY):  # the student chose the arguments and the state
                value = stand[name](state, list(args), dict(kwargs))
            return {"op": "value", "value": encode(value)}, time.monotonic() - started
        except Exception as exc:  # the student's code passed arguments the reference cannot take
            return {"op": "raise", "message": (
                f"while {target} was checked, the grader's correct `{name}` stood in for yours and could not "
                f"take the arguments your code passed it ({type(exc).__name__}: {str(exc)[:200]})")}, 0.0

    # -- the process ----------------------------------------------------------------------------------
    def _deadline(self, timeout: float | None) -> float:
        now = time.monotonic()
        deadline = self._run.deadline if self._run else now + self.limits.check_seconds
        return min(deadline, now + timeout) if timeout else deadline

    def _start(self) -> None:
        for attempt in range(2):  # a zygote that has gone is started again, once
            spawner = self._zygote()
            try:
                pid, self._channel = spawner.fork(self.limits, STARTUP_SECONDS)
                self._process = spawner, pid
                break
            except ZygoteGone:
                if attempt:
                    raise RuntimeError("the student process could not start (its zygote did not answer)") from None
        self.isolation = spawner.layer
        self._loaded = False

    def _watched(self, target: str) -> cpu.Keeper:
        """The keeper whose tree a timed call of `target` is measured in, with only the student process under
        it: a process that student code started and left running could pose as part of the measure."""
        if self._keeper is None:
            raise RuntimeError("the CPU time of the student process cannot be read on this machine (/proc)")
        if not self._keeper.alone():
            raise StudentError(f"{target} could not be timed: processes your code started were still running "
                               "when the call began, and a speed check times the function alone.",
                               mistake="too-slow")
        return self._keeper

    def _load(self) -> None:
        """Run the answer cells in a fresh process; a cell that hangs or kills it is left out next time."""
        if self._process is not None and not self._process[0].usable():
            self._kill()  # its zygote was replaced (tainted) or has gone: a fresh process from a new one
        while not self._loaded:
            if self._process is None:
                self._start()
            try:
                ready = self._receive(time.monotonic() + STARTUP_SECONDS)
                if ready.get("op") != "ready":
                    raise _Stopped("could not start: the student process did not answer.")
            except _Stopped as stop:
                self._kill()
                raise RuntimeError(f"the student process could not start ({stop})") from None
            if self.isolation != "bubblewrap":
                self.isolation = str(ready.get("isolation", "none"))
            self.own_scratch = ready.get("own_scratch") is True  # a tmpfs of its own (scratch.py): said before
            #                                                      any student code ran
            # Before any student code runs: the zygote names the keeper by its pid in the sandbox; the kernel maps it.
            self._keeper = cpu.Keeper.find(self._process[0].process.pid, self._process[1])
            if self._cpu_per_byte is None:
                self._measure_channel()
            if self._run_cells():
                self._loaded = True

    def _measure_channel(self) -> None:
        """CPU seconds per byte of a message and its answer, measured once, before any student code has run."""
        message = {"op": "echo", "args": encode([[np.random.default_rng(0).random(PROBE_FLOATS)], {}]), "timed": True}
        size = len(json.dumps(message))
        keeper = self._keeper
        used, started = keeper.seconds() if keeper else 0.0, time.monotonic()
        try:
            self._send(message, started + STARTUP_SECONDS)
            self._receive(started + STARTUP_SECONDS)
        except _Stopped as stop:
            self._kill()
            raise RuntimeError(f"the student process could not start ({stop})") from None
        self._cpu_per_byte = 0.0
        with contextlib.suppress(cpu.Gone):
            self._cpu_per_byte = (keeper.seconds() - used) / (2 * size) if keeper else 0.0  # there and back

    def _run_cells(self) -> bool:
        """Run the notebook's code as the program plans it, once per namespace; False when a step hung or
        ended the process. A step of several statements that did is split, so that only the statement at
        fault is left out; past MAX_LEFT_OUT, every step not yet seen to finish is left out too (a notebook
        of a hundred copies of a hanging cell costs a few cell time limits, not a hundred)."""
        seconds = self.limits.cell_seconds
        for namespace, steps in self.program.plans.items():
            for step in self._steps(steps):
                what = (step.label, step.statements)
                if what in self._left_out or (len(self._left_out) >= MAX_LEFT_OUT and what not in self._finished):
                    if what not in self._left_out:
                        self._fail(step, None, "was not run: earlier cells of the notebook took the time it had",
                                   "timeout")
                    continue
                try:
                    self._send({"op": "exec", "cell": step.label, "source": step.source, "namespace": namespace,
                                "statements": step.statements}, time.monotonic() + seconds)
                    reply = self._receive(time.monotonic() + seconds)
                except _Stopped as stop:
                    self._kill()
                    if step.statements and len(step.statements) > 1:
                        self._split.add(step.label)
                        return False
                    timed_out = isinstance(stop, _TimedOut)
                    why = f"did not finish within {seconds:g} s when run" if timed_out else str(stop).rstrip(".")
                    self._fail(step, None, f"{why}, so the grader left it out: keep answer cells to definitions, "
                               "with no long-running code at their top level.", "timeout" if timed_out
                               else "process-ended")
                    self._left_out.add(what)
                    return False
                self._finished.add(what)
                if reply.get("op") == "error":
                    self._fail(step, None, *self._cell_error(reply.get("error")))
                errors = reply.get("errors") if reply.get("op") == "done" else None
                for number, error in (errors.items() if isinstance(errors, dict) else ()):
                    if isinstance(number, str) and number.isascii() and number.isdigit() \
                            and int(number) in (step.statements or ()):
                        self._fail(step, int(number), *self._cell_error(error))
        return True

    def _steps(self, steps: list[Exec]) -> Iterator[Exec]:
        """The program's steps, those of a split cell one statement at a time."""
        for step in steps:
            if step.label in self._split and step.statements:
                for statement, order in zip(step.statements, step.orders, strict=True):
                    yield replace(step, statements=(statement,), orders=(order,))
            else:
                yield step

    def _fail(self, step: Exec, statement: int | None, what: str, mistake: str) -> None:
        """Record that a step (or one statement of it) raised or hung: a note for the student, and why the
        names it defines are missing (`mistake`: the id their checks get)."""
        text = f"your cell {step.title} {what}"
        self.problems.setdefault(step.key, text)
        orders = step.orders if statement is None else [step.orders[step.statements.index(statement)]]
        for order in orders:
            self.failed.setdefault(order, (text, mistake))

    def _cell_error(self, error: Any) -> tuple[str, str]:
        """How a cell's error reads in a note ("raised an error when run: NameError: ... at ..."), and the
        mistake of the names it would have defined: "missing", or "non-course-library" for an import."""
        raised = self._raised("it", error)
        mistake = "non-course-library" if raised.mistake == "non-course-library" else "missing"
        return f"raised an error when run: {str(raised).removeprefix('it raised ')}", mistake

    def _send(self, message: dict, deadline: float) -> None:
        try:
            self._channel.send(message, deadline)
        except TimeoutError:
            raise _TimedOut(self._timed_out()) from None
        except ChannelClosed:
            raise _Stopped(self._ended()) from None

    def _receive(self, deadline: float, stop_at: float | None = None,
                 since: tuple[float, float, float] | None = None) -> dict:
        """The student process's next message; with `stop_at`, the call is stopped too once the student
        process's own CPU time reaches it (read every WATCH_SECONDS: one clock, cheap whatever the machine
        runs; work in other processes counts in the result, and the wall clock's deadline still holds).
        With `since` (`_cpu_mark`), a call that reaches its deadline starved of CPU gets more time."""
        try:
            while True:
                try:
                    return self._next(deadline, stop_at)
                except TimeoutError:
                    deadline = self._more_time(since)  # (TimeoutError again when none is due)
        except TimeoutError:
            raise _TimedOut(self._timed_out()) from None
        except ChannelClosed:
            raise _Stopped(self._ended()) from None
        except ValueError:  # too long, not JSON, not an object
            raise _Stopped("broke the grader's protocol (it wrote something else to the grader's channel).") \
                from None

    def _next(self, deadline: float, stop_at: float | None) -> dict:
        while stop_at is not None and (now := time.monotonic()) < deadline:
            try:
                return self._channel.receive(min(deadline, now + WATCH_SECONDS))
            except TimeoutError:
                if self._keeper.student_seconds() > stop_at:
                    raise _OverCPU("used more CPU time than it was allowed, so it was stopped.") from None
        return self._channel.receive(deadline)

    def _cpu_mark(self, started: float, deadline: float) -> tuple[float, float, float] | None:
        """Where an untimed call starts: the wall clock, the student process's CPU time, and the seconds it
        is allowed (None where the CPU time cannot be read)."""
        try:
            return (started, self._keeper.student_seconds(), deadline - started) if self._keeper else None
        except cpu.Gone:
            return None

    def _more_time(self, since: tuple[float, float, float] | None) -> float:
        """A new deadline for a call that reached its own without having used as much CPU time as it was
        allowed: the machine was busy (or the grader answered stand-ins meanwhile), and a grade must not
        depend on that. It may go on until its CPU time reaches its allowance, or the wall clock
        STARVED_FACTOR times it (an endless loop still ends, a sleeping one too). TimeoutError when neither
        more time is due nor can be known."""
        if since is None:
            raise TimeoutError
        started, cpu_before, allowed = since
        try:
            used = self._keeper.student_seconds() - cpu_before
        except cpu.Gone:
            raise TimeoutError from None
        now, last = time.monotonic(), started + STARVED_FACTOR * allowed
        if used >= allowed or now >= last:
            raise TimeoutError
        deadline = min(now + max(allowed - used, WATCH_SECONDS), last)
        if self._run is not None:  # the check's later calls keep the time this one was starved of
            self._run.deadline = max(self._run.deadline, deadline)
        return deadline

    def _timed_out(self) -> str:
        limit = f"within the {self._run.seconds:g} s a check may take" if self._run else "in time"
        return (f"did not finish {limit} (an endless loop, or a very slow one?); it was stopped. Later checks "
                "of it fail at once.")

    def _ended(self) -> str:
        code = self._end(wait=KEEPER_SECONDS)
        if code is None:
            return "closed the grader's channel (or its sandbox ended), so the check could not finish."
        if code < 0:
            name = signal.Signals(-code).name
            why = {"SIGKILL": "it was killed, likely for using too much memory", "SIGXCPU": "it ran out of CPU time",
                   "SIGSEGV": "a crash (segmentation fault)"}.get(name, f"it was ended by {name}")
            return f"ended the student process: {why}."
        return (f"ended the student process (exit status {code}): os._exit, os.abort and the like stop the "
                "whole program, so the remaining checks of it could not run.")

    def _kill(self) -> None:
        """End the student process and everything it started (its keeper kills them)."""
        self._end(wait=0)
        self._loaded = False

    def _end(self, wait: float) -> int | None:
        """Let the student process end by itself within `wait` seconds, else stop it; its exit code, or None."""
        process, self._process, self._keeper = self._process, None, None
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()
        if process is None:
            return None
        try:
            return process[0].end(process[1], wait, KEEPER_SECONDS + 5)
        except ZygoteGone:  # and with it every process under it
            return None


@contextlib.contextmanager
def _memory_capped(extra: int) -> Iterator[None]:
    """Let this process allocate at most `extra` more bytes for the length of the block (MemoryError past it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * resource.getpagesize()
    cap = in_use + extra if hard == resource.RLIM_INFINITY else min(in_use + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
