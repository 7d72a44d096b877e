"""Grade one notebook: run the hidden tests of its assignment through pytest and collect the results.

`grade(...)` is the library entry point that the command line, nbgrader's autograde step and the
workflow that grades each push all call. It never raises for anything a student's file can do: an
unreadable notebook, missing cells or broken code become a score and a message. It raises nothing at
all; a grader that cannot run (no solutions, a broken install) gives results with `error` set.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from .notebook import NotebookError, identify, load_assignments, read_cells
from .plugin import DEFAULT_TIME_LIMIT, FAILURE, RESULTS, SOLUTIONS
from .results import Results

HIDDEN = Path(__file__).resolve().parent / "hidden"


class _Collect:
    """Picks the results, or why there are none, off the pytest session."""

    def __init__(self, debug: bool) -> None:
        self.debug, self.config, self.problems = debug, None, []

    @pytest.hookimpl(tryfirst=True)  # before the plugin's own, which may fail
    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:  # a broken hidden test module: its text may show hidden source, so only on --debug
            self.problems.append(f"the hidden checks in {Path(report.nodeid).name or 'autograder/hidden'} "
                                 "could not be collected (grade with --debug for details)")
            if self.debug:
                print(report.longreprtext, file=sys.stderr)

    @property
    def grading(self):
        return self.config.stash.get(RESULTS, None) if self.config else None

    def failure(self, code: int) -> str:
        found = self.config.stash.get(FAILURE, None) if self.config else None
        return found or "; ".join(self.problems) or f"the hidden tests did not run (pytest exit code {code})"


def grade(notebook: Path, *, solutions: Path = SOLUTIONS, assignment: str | None = None, sandbox: bool = True,
          time_limit: float = DEFAULT_TIME_LIMIT, results_path: Path | None = None, debug: bool = False) -> Results:
    """Grade `notebook`; write `results_path` (Gradescope's results.json format) when given."""
    started = time.perf_counter()
    try:
        results = _grade(Path(notebook), Path(solutions), assignment, sandbox, time_limit, debug)
    except Exception as exc:  # the grader's own failure: still a results file, with the reason
        results = Results(assignment, error=f"{type(exc).__name__}: {exc}")
    if results.error:
        results.tests = [t for t in results.tests if t.status == "passed"]
        results.output = (f"The grader could not run ({results.error}). Your notebook was not graded; this "
                          "is not a problem with your work: please tell your instructor.")
    results.execution_time = time.perf_counter() - started
    if results_path is not None:
        results.write(results_path)
    return results


def _grade(notebook: Path, solutions: Path, assignment: str | None, sandbox: bool, time_limit: float,
           debug: bool) -> Results:
    assignments = load_assignments(solutions)
    if not assignments:
        raise FileNotFoundError(f"no source notebooks under {solutions}")
    if assignment is not None and assignment not in assignments:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(assignments)}")
    if assignment is None:
        try:
            assignment = identify(read_cells(notebook), assignments).name
        except NotebookError as exc:
            return Results(None, output=f"Score: 0. {exc}")
    args = [str(HIDDEN / f"test_{assignment}.py"), "--notebook", str(notebook), "--solutions", str(solutions),
            "--assignment", assignment, "--time-limit", str(time_limit), "-p", "no:terminal",
            "-c", str(HIDDEN / "pytest.ini"), "--rootdir", str(HIDDEN)]
    args += ["--no-sandbox"] if not sandbox else []
    args += ["--debug-grader"] if debug else []
    collect = _Collect(debug)
    code = pytest.main(args, plugins=[collect])
    grading = collect.grading
    if grading is None or collect.problems or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return Results(assignment, error=collect.failure(int(code)))
    results = Results(assignment, grading.results, isolation=grading.isolation)
    results.output = summary(results, grading)
    return results


def summary(results: Results, grading) -> str:
    """The top of the student's feedback: the score, what could not be graded at all, and how it ran."""
    lines = [f"{results.assignment}: {results.score:g} / {results.max_score:g} points."]
    if grading.problem:
        lines.append(grading.problem)
    problems = grading.student.problems if grading.student else {}
    lines += [f"Note: {text[0].upper()}{text[1:]}" for text in problems.values()]
    if results.isolation == "none":
        lines.append("(Graded without a sandbox: the student code ran as a separate process with limits.)")
    return "\n".join(lines)
