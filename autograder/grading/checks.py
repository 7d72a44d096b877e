"""Writing hidden checks: the `@check` declaration and the helpers that turn a check into a table row.

    @check("LogisticRegressionNN.forward", "returns one probability per example, shape (m, 1)")
    def test_forward_returns_a_column(student): ...

    test_tanh_matches_reference = matches_reference(
        "tanh", "matches the reference on random arrays of several shapes",
        [Case((z,), what=f"tanh(z) with z of shape {z.shape}", suspects=tanh_suspects(z)) for z in ...])

A check names the graded function it checks and its weight: the function's points are split over its
checks by weight. `matches_reference` compares the student's function with the reference case by case;
`vectorised` is the one speed policy (a factor of the reference's CPU time, with a floor and a retry),
measured by the grader; `expect_finite` and `expect_no_warnings` judge stability at extreme inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from ..sandbox.inside.protocol import Outcome
from .feedback import StudentTimeout, compare, fail, real_numbers
from .mistakes import Mistake

SLOWER = 25  # how many times the reference's CPU time a vectorised solution may take
FLOOR = 0.003  # seconds: the reference's time is never taken as less than this (a very fast machine's noise)
TRIES = 2  # a slow run is measured again, with the reference's time, before it counts: one hiccup is forgiven
STOP = 3  # a timed call is stopped once it has used this many times its budget: it has failed either way,
#           and waiting longer for an endless loop would cost the class's grading a core for as long
_reference_times: dict[tuple, tuple[float, float]] = {}  # (conditions, check) -> (CPU seconds, when measured)
SPEED_CHECK_SECONDS = 60.0  # the wall-clock limit of a speed check, all tries included: on a quiet machine
#                             one takes well under a second; only a machine that gives the grading almost no
#                             CPU comes near it
FRESH_SECONDS = 30.0  # a reference time measured this recently in this process is used again (a class graded
#                       in one process measures it about twice a minute, not once per notebook); a retry
#                       always measures it afresh
RTOL, ATOL = 1e-7, 1e-12  # correct formulations differ by ~1e-16 relative: far inside these


@dataclass(frozen=True)
class Check:
    """What a hidden check checks: the graded function, what it shows, its weight, its time limit."""

    function: str  # qualified name, as in the rubric: "LogisticRegressionNN.compute_cost"
    name: str  # what it shows: "matches the reference on random data"
    weight: int = 1
    seconds: float | None = None  # None: the grader's time limit per check


def check(function: str, name: str, *, weight: int = 1, seconds: float | None = None) -> Callable:
    """Declare a pytest function a hidden check of `function`."""

    def declare(test: Callable) -> Callable:
        test.check = Check(function, name, weight, seconds)
        return test

    return declare


@dataclass(frozen=True)
class Case:
    """One call of the function under check, and how to describe and judge its answer."""

    args: tuple = ()
    what: str = ""  # how feedback names the call: "compute_cost(X, y) with X of shape (8, 3)"
    kwargs: dict = field(default_factory=dict)
    init: tuple = ()  # the constructor's arguments, for a method
    state: dict | None = None  # instance attributes set before the call
    suspects: Mapping[Mistake, Any] | None = None  # mistake -> the value that mistake gives
    m: int | None = None  # the number of examples, for the 1/m fingerprint
    id: str | None = None  # the case's name when each case is a check of its own

    def on_student(self, student, function: str, **options: Any) -> Outcome:
        return student.call(function, *self.args, init=self.init, state=self.state, kwargs=self.kwargs, **options)

    def on_reference(self, reference, function: str) -> Outcome:
        return reference.call(function, *self.args, init=self.init, state=self.state, kwargs=self.kwargs)


def matches_reference(function: str, name: str, cases: list[Case], *, rtol: float = RTOL, atol: float = ATOL,
                      strict_shape: bool = True, each: bool = False, weight: int = 1) -> Callable:
    """A check that the student's `function` gives the reference's values on every case; with `each`, one
    check per case (each worth `weight`), so that one failing shape costs only its share."""

    def judge(student, reference, case: Case) -> None:
        got = case.on_student(student, function).value
        want = case.on_reference(reference, function).value
        compare(got, want, what=case.what, rtol=rtol, atol=atol, suspects=case.suspects, m=case.m,
                strict_shape=strict_shape)

    if each:
        @pytest.mark.parametrize("case", cases, ids=[c.id or str(i) for i, c in enumerate(cases)])
        @check(function, name, weight=weight)
        def test_each(student, reference, case):
            judge(student, reference, case)

        return test_each

    @check(function, name, weight=weight)
    def test_all(student, reference):
        for case in cases:
            judge(student, reference, case)

    return test_all


def vectorised(function: str, name: str, case: Case, advice: str, *, standins: dict | None = None,
               expect: Callable[[Outcome, Any], None] | None = None) -> Callable:
    """A check that the student's `function` costs at most SLOWER times the reference's CPU time on `case`,
    and gives the right answer while it does (a function that does nothing is fast).

    Both are measured the same way, close in time: the CPU time of a sandboxed process running the code,
    read from the kernel by the grader (sandbox/cpu.py; the student process's own clock is never trusted), less
    the cost of taking in the arguments and sending back the answer, measured before any student code ran.
    CPU time, not the wall clock: on a busy machine the same call's wall time varies several-fold, its CPU
    time barely, and a grade must not depend on what else the machine was doing. Round trips to the grader
    would cost more than the code being timed, so there are no stand-ins but `standins`: constant answers (`Constant`)
    inside the student process, which cost every submission the same; any other member is the student's
    own. `expect(outcome, reference)` judges the answer; by default the value must match the reference's
    on `case`. Each try runs in a fresh process, stopped once it has used STOP times its budget; a slow
    try is tried once more before it counts, and a retry is noted in the results (`extra_data.tries`).
    """
    slow = f"{case.what} took more than {SLOWER} times as long as a vectorised version: {advice}"

    @check(function, name, seconds=SPEED_CHECK_SECONDS)
    def test_speed(student, reference, timing):
        answer = case.on_reference(reference, function).value  # the right answer, and what sending one costs

        def right_answer(outcome: Outcome, reference) -> None:
            compare(outcome.value, answer, what=case.what, rtol=RTOL, atol=ATOL, suspects=case.suspects, m=case.m)

        for attempt in range(TRIES):
            student.restart()  # a fresh process: nothing an earlier call cached, or left running, is there
            budget = SLOWER * max(reference_seconds(student, function, case, afresh=attempt > 0), FLOOR)
            moving = student.transfer_seconds(*case.args, kwargs=case.kwargs, answer=answer)
            started = time.monotonic()
            try:
                outcome = case.on_student(student, function, standins=standins, own=True,
                                          cpu_limit=STOP * budget + moving)
                spent = outcome.cpu_seconds - moving
            except StudentTimeout as stopped:  # over STOP times its budget, or out of the check's time
                timing.append(Try(stopped.cpu_seconds - moving, budget, time.monotonic() - started, stopped=True))
                continue
            timing.append(Try(spent, budget, time.monotonic() - started))
            (expect or right_answer)(outcome, reference)
            if spent <= budget:
                return
        fail(slow, "too-slow")

    return test_speed


@dataclass(frozen=True)
class Try:
    """One timed try of a speed check: the CPU time the student's code used, its budget, and the wall
    clock's time for the whole call (a wall time far above the CPU time says the machine was busy)."""

    seconds: float
    budget: float
    wall: float
    stopped: bool = False  # stopped before it finished

    def __str__(self) -> str:
        busy = ", the machine busy" if self.wall > 2 * self.seconds + 0.05 else ""
        return (f"{self.seconds:.3f} s of CPU time{' before it was stopped' if self.stopped else ''} "
                f"({self.wall:.3f} s on the wall clock{busy}), against a budget of {self.budget:.3f} s")


def reference_seconds(student, function: str, case: Case, afresh: bool = False) -> float:
    """The reference's least CPU time of three on `case`, in a process like the student's (`reference_run`);
    measured again when `afresh` or older than FRESH_SECONDS, else the time measured last in this process."""
    key = (student.layers, student.limits, student.assignment.name, function, case.what)
    seconds, measured = _reference_times.get(key, (0.0, -np.inf))
    if afresh or time.monotonic() - measured > FRESH_SECONDS:
        seconds = student.reference_run().least_cpu_seconds(function, *case.args, init=case.init, state=case.state,
                                                             kwargs=case.kwargs)
        _reference_times[key] = seconds, time.monotonic()
    return seconds


def expect_finite(got: Any, what: str, advice: str, mistake: str = "not-finite") -> None:
    """Fail, naming the first NaN or inf and what it came from, unless every number of `got` is finite."""
    array = real_numbers(got)
    if array is not None and array.size and not np.isfinite(array).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0]) if array.ndim else ()
        kind = "NaN" if np.isnan(array[index]) else "inf"
        fail(f"{what} returned {kind}{f' at index {index}' if index else ''}; expected a finite number. {advice}",
             mistake)


def expect_no_warnings(outcome: Outcome, what: str, advice: str) -> None:
    """Fail unless the call raised none of NumPy's RuntimeWarnings (overflow, invalid value...)."""
    warned = [w for w in outcome.warnings if w.startswith("RuntimeWarning")]
    if warned:
        fail(f"{what} made NumPy raise the warning(s) {'; '.join(warned)}. {advice}", "overflow-warning")
