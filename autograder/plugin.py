"""The pytest plugin behind the hidden tests: `--notebook`, the `student` and `reference` fixtures,
a time limit per check, and one `TestResult` per check.

A hidden test is a plain pytest function whose docstring's first line is its name, starting with the
qualified name of the graded function it checks: "LogisticRegressionNN.compute_cost: matches the
reference on random data". A function's points (from its test cell in the source notebook) are shared
equally by its checks. What the student reads of a failed check is the message of the `Feedback` it
raised, never its source or traceback.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from .feedback import Feedback
from .notebook import Assignment, NotebookError, identify, load_assignments, read_cells, student_answers
from .reference import Reference
from .results import TestResult
from .student import Student

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
RESULTS = pytest.StashKey["Grading"]()
FAILURE = pytest.StashKey[str]()  # why the grader itself could not start or collect its checks
DEFAULT_TIME_LIMIT = 3.0  # seconds per check; the reference needs milliseconds


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "grading a student notebook")
    group.addoption("--notebook", help="the student notebook to grade")
    group.addoption("--solutions", default=str(SOLUTIONS), help="folder of the source notebooks")
    group.addoption("--assignment", help="grade as this assignment (default: recognised from the notebook)")
    group.addoption("--no-sandbox", action="store_true", help="run student code without bubblewrap")
    group.addoption("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds per check")
    group.addoption("--debug-grader", action="store_true", help="print the grader's own tracebacks")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "time_limit(seconds): this check's time limit")
    if config.getoption("notebook"):
        try:
            grading = Grading(config)
        except NotebookError:
            raise
        except Exception as exc:  # the reference or the set-up is broken: the instructor's problem
            config.stash[FAILURE] = f"{type(exc).__name__}: {exc}"
            raise pytest.UsageError(f"the grader could not start: {config.stash[FAILURE]}") from None
        config.stash[RESULTS] = grading
        config.pluginmanager.register(grading, "autograder-grading")


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest) -> Reference:
    return request.config.stash[RESULTS].reference


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest) -> Student:
    grading = request.config.stash[RESULTS]
    if grading.problem:
        raise Feedback(grading.problem)
    return grading.student


def test_name(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    name = doc.strip().splitlines()[0] if doc.strip() else item.name
    callspec = getattr(item, "callspec", None)
    return f"{name} [{callspec.id}]" if callspec else name


class Grading:
    """State of one grading session: the assignment, the reference, the student process, the results."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: list[TestResult] = []
        self.problem: str | None = None  # why nothing of this notebook can be graded
        self.student: Student | None = None
        assignments = load_assignments(Path(config.getoption("solutions")))
        forced = config.getoption("assignment")
        try:
            cells = read_cells(Path(config.getoption("notebook")))
            self.assignment: Assignment = assignments[forced] if forced else identify(cells, assignments)
            if forced and not set(c["nbgrader"].get("grade_id") for c in cells) & self.assignment.grade_ids:
                raise NotebookError(f"This notebook has none of {forced}'s graded cells.")
        except NotebookError as exc:
            if not forced:
                raise
            self.assignment, self.problem, cells = assignments[forced], str(exc), []
        self.reference = Reference(self.assignment)
        if not self.problem:
            answers, missing = student_answers(cells, self.assignment)
            self.student = Student(self.assignment, answers, missing, self.reference,
                                   sandbox=not config.getoption("no_sandbox"))

    @property
    def isolation(self) -> str:
        return self.student.isolation if self.student else "none"

    # -- collection: only this assignment's checks, each named after a graded function ---------------
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        mine = [i for i in items if getattr(i.module, "ASSIGNMENT", None) == self.assignment.name]
        config.hook.pytest_deselected(items=[i for i in items if i not in mine])
        items[:] = mine
        function_of = {item.nodeid: test_name(item).split(":", 1)[0] for item in items}
        counts = Counter(function_of.values())
        for item in items:
            # pytest formats a full traceback for every failure (tens of ms each); no one reads it here.
            item.repr_failure = lambda excinfo: excinfo.exconly()
            if function_of[item.nodeid] not in self.assignment.rubric:
                raise pytest.UsageError(f"{item.nodeid}: '{function_of[item.nodeid]}' has no test cell "
                                        "in the source notebook")
        self.points = {node: self.assignment.rubric[f] / counts[f] for node, f in function_of.items()}

    # -- running: a deadline per check ----------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        marker = item.get_closest_marker("time_limit")
        limit = marker.args[0] if marker else self.config.getoption("time_limit")
        if self.student:
            self.student.deadline, self.student.time_limit = time.monotonic() + limit, limit
            self.student.last = None
        try:
            return (yield)
        finally:
            if self.student:
                self.student.deadline = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "call" or (report.when == "setup" and report.failed):
            points = self.points[item.nodeid]
            passed = report.passed
            self.results.append(TestResult(test_name(item), round(points if passed else 0.0, 4),
                                           round(points, 4), "passed" if passed else "failed",
                                           "" if passed else self.explain(item, call)))
        return report

    def explain(self, item: pytest.Item, call: pytest.CallInfo) -> str:
        error = call.excinfo.value if call.excinfo else None
        if not isinstance(error, Feedback):
            if self.config.getoption("debug_grader"):
                print(call.excinfo.getrepr(style="short"), file=sys.stderr)
            return (f"The grader could not complete this check (internal error: {type(error).__name__}). "
                    "It is not your fault; please tell your instructor.")
        message = str(error)
        last = self.student.last if self.student else None
        if last and last.stdout.strip():
            message += "\n\nYour code printed:\n" + last.stdout.strip()[:1500]
        if last and last.warnings and "arning" not in message:
            message += "\n\nWarnings your code raised: " + "; ".join(last.warnings)
        return message

    def pytest_sessionfinish(self) -> None:
        if self.student:
            self.student.close()
