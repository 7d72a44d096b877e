"""The pytest side of grading: the `student` and `reference` fixtures, one deadline per check, one
`TestResult` per check.

`grade()` builds a `Grading` (the assignment, the reference, the student process) and hands it to pytest
as a plugin object, then reads the results straight off it. `pytest autograder/hidden --notebook NB` is a
thin path onto the same thing (pytest_entry.py builds the `Grading` from the options).

A hidden check is a pytest function marked with `@check(function, name, weight=...)` (checks.py). A
function's points (from its test cell in the source notebook) are split over its checks by weight, in
hundredths of a point, so that they add back up exactly. What the student reads of a failed check is the
message of the `Feedback` it raised, never its source or traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import pytest

from .checks import Check
from .feedback import Feedback, unreadable
from .mistakes import tag
from .notebook import Assignment
from .reference import Reference
from .results import Results, TestResult, apportion, cents
from .settings import Settings
from .student import CheckRun, Student

GRADING = pytest.StashKey["Grading"]()
TRIES = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest) -> Reference:
    return request.config.stash[GRADING].reference


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest) -> Student:
    grading = request.config.stash[GRADING]
    if grading.student is None:
        raise Feedback(grading.notebook_error or "the notebook could not be graded", "notebook-unreadable")
    return grading.student


@pytest.fixture
def timing(request: pytest.FixtureRequest) -> list:
    """Where a speed check records its timed tries (checks.Try): a check that needed more than one says so
    in its results, with the figures, so that an instructor can see a marginal case."""
    request.node.stash[TRIES] = tries = []
    return tries


class Grading:
    """One grading session, handed to pytest as a plugin: what is graded, and the results as they come."""

    def __init__(self, assignment: Assignment, reference: Reference, student: Student | None,
                 settings: Settings, notebook_error: str | None = None) -> None:
        self.assignment, self.reference, self.student = assignment, reference, student
        self.settings, self.notebook_error = settings, notebook_error
        self.tests: list[TestResult] = []
        self.failures: list[str] = []  # why the grader itself could not run its checks
        self._checks: dict[str, Check] = {}
        self._points: dict[str, int] = {}  # node id -> hundredths of a point
        self._run: CheckRun | None = None

    def close(self) -> None:
        if self.student:
            self.student.close()

    def results(self) -> Results:
        isolation = self.student.isolation if self.student else "none"
        problems = dict(self.student.problems) if self.student else {}
        graded_from = self.student.program.graded_from() if self.student else []
        return Results(self.assignment.name, self.tests, isolation=isolation, notebook_error=self.notebook_error,
                       problems=problems, graded_from=graded_from)

    # -- set-up and collection: only this assignment's checks, each declared with @check ----------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[GRADING] = self

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:  # a broken hidden module: its text may show hidden source, so only on --debug-grader
            self.failures.append(f"the hidden checks in {Path(report.nodeid).name or 'autograder/hidden'} could not "
                                 "be collected (grade with --debug-grader for details)")
            if self.settings.debug:
                print(report.longreprtext, file=sys.stderr)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        mine = [i for i in items if Path(i.module.__file__).stem == f"test_{self.assignment.name}"]
        config.hook.pytest_deselected(items=[i for i in items if i not in mine])
        items[:] = mine
        for item in items:
            found = getattr(getattr(item, "function", None), "check", None)
            if not isinstance(found, Check):
                self.refuse(f"{item.nodeid} is not declared with @check(function, name)")
            if found.function not in self.assignment.rubric:
                self.refuse(f"{item.nodeid} checks '{found.function}', which has no test cell in the source notebook")
            self._checks[item.nodeid] = found
            # pytest formats a full traceback for every failure (tens of ms each); no one reads it here.
            item.repr_failure = lambda excinfo: excinfo.exconly()
        unchecked = [f for f in self.assignment.rubric if f not in {c.function for c in self._checks.values()}]
        if unchecked:  # its points would silently drop out of the maximum, where nbgrader would count them
            self.refuse(f"{', '.join(unchecked)} {'has' if len(unchecked) == 1 else 'have'} a test cell with points "
                        f"in the source notebook but no hidden check in test_{self.assignment.name}.py")
        for function, points in self.assignment.rubric.items():
            nodes = [node for node, c in self._checks.items() if c.function == function]
            shares = apportion(cents(points), [self._checks[node].weight for node in nodes])
            self._points.update(zip(nodes, shares, strict=True))

    def refuse(self, why: str) -> NoReturn:
        """Stop before any check runs: the hidden checks and the rubric do not agree (the grader's error)."""
        self.failures.append(why)
        raise pytest.UsageError(why)

    # -- running: one deadline per check -------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        if self.student is None:
            return (yield)
        found = self._checks[item.nodeid]
        with self.student.check(found.seconds, found.function) as self._run:
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "call" or (report.when == "setup" and report.failed):
            found, points = self._checks[item.nodeid], self._points[item.nodeid]
            error = call.excinfo.value if call.excinfo else None
            if error is not None and not isinstance(error, AssertionError):
                error = self.students_value(found.function, error)
            name = f"{found.function}: {found.name}"
            if getattr(item, "callspec", None):
                name += f" [{item.callspec.id}]"
            tries = item.stash.get(TRIES, [])
            tries = [str(t) for t in tries] if len(tries) > 1 else []
            if report.passed:
                self.tests.append(TestResult(name, points / 100, points / 100, "passed", function=found.function,
                                             tries=tries))
            else:  # an AssertionError (a Feedback, or a plain assert in a check) is the student's; anything else ours
                mistake = tag(found.function, getattr(error, "mistake", None)) \
                    if isinstance(error, AssertionError) else None
                self.tests.append(TestResult(name, 0.0, points / 100, "failed", self.explain(error, call),
                                             tags=[mistake] if mistake else [], function=found.function,
                                             tries=tries))
            self._run = None
        return report

    def students_value(self, function: str, error: BaseException) -> BaseException:
        """A check that broke on a value the student's code gave back is the student's failure (a string
        where numbers belong); the error stays the grader's when everything that came back was numbers."""
        last = self._run.outcomes[-1] if self._run and self._run.outcomes else None
        return (unreadable(last.target or function, last.value, last.state) if last else None) or error

    def explain(self, error: BaseException | None, call: pytest.CallInfo) -> str:
        if not isinstance(error, AssertionError):
            if self.settings.debug:
                print(call.excinfo.getrepr(style="short"), file=sys.stderr)
            return (f"The grader could not complete this check (internal error: {type(error).__name__}). "
                    "It is not your fault; please tell your instructor.")
        message = str(error) or "This check failed (it gives no details)."
        last = self._run.outcomes[-1] if self._run and self._run.outcomes else None
        if last and last.stdout.strip():
            message += "\n\nYour code printed:\n" + last.stdout.strip()
        if last and last.warnings and not str(getattr(error, "mistake", "")).endswith("overflow-warning"):
            message += "\n\nWarnings your code raised: " + "; ".join(last.warnings)
        return message
