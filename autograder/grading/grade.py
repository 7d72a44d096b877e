"""Grade one notebook: the one place that builds a grading session, runs the hidden checks, and returns
the results.

`grade(...)` is the library entry point that the command line, nbgrader's autograde step and the
workflow that grades each push all call. It never raises for anything a student's file can do: an
unreadable notebook, missing cells or broken code become a score and a message. It raises nothing at
all; a grader that cannot run (no solutions, a broken reference) gives results with `error` set.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ..course import HIDDEN, SOLUTIONS
from ..sandbox.inside.protocol import Limits
from ..sandbox.launch import LAYERS, exposed
from .notebook import NotebookError, holdings, identify, likeness, load_assignments, read_cells
from .plugin import Grading
from .program import Program
from .reference import Reference
from .results import Results
from .settings import Settings
from .student import Student

# pytest's plugins that a grading session never uses, nor plugins installed beside it: each would cost every
# notebook's session its loading and its fixture scan (together about a fifth of the grader's own CPU time).
UNUSED_PLUGINS = ("terminal", "debugging", "doctest", "junitxml", "pastebin", "stepwise", "setuponly", "setupplan",
                  "legacypath", "tmpdir", "monkeypatch", "recwarn", "logging", "faulthandler", "unittest",
                  "python_path", "threadexception", "unraisableexception", "subtests")


class GraderError(Exception):
    """The grader itself cannot run (the instructor's problem, never the student's)."""


def grade(notebook: Path, *, solutions: Path = SOLUTIONS, assignment: str | None = None, sandbox: bool = True,
          limits: Limits | None = None, results_path: Path | None = None, debug: bool = False) -> Results:
    """Grade `notebook`; write `results_path` (Gradescope's results.json format) when given."""
    settings = Settings(Path(solutions), assignment, sandbox, limits or Limits(), debug)
    started = time.perf_counter()
    try:
        results = run_checks(Path(notebook), settings)
    except Exception as exc:  # the grader's own failure: still a results file, with the reason
        results = Results(assignment, error=f"{type(exc).__name__}: {exc}")
    if results.error:
        results.tests = []
        results.output = (f"The grader could not run ({results.error}). Your notebook was not graded; this "
                          "is not a problem with your work: please tell your instructor.")
    results.execution_time = time.perf_counter() - started
    if results_path is not None:
        results.write(results_path)
    return results


def open_grading(notebook: Path, settings: Settings) -> Grading:
    """The session for one notebook: its assignment, the reference, and the student process (started
    now, so that it imports numpy while pytest collects). A notebook that cannot be read raises
    NotebookError, unless the assignment is given: then every check fails with the reason."""
    if settings.sandbox and (seen := exposed([settings.solutions, HIDDEN])):
        raise GraderError(f"{', '.join(map(str, seen))} would be readable by student code (the sandbox shows the "
                          "system and the Python installation): keep the course outside them")
    assignments = load_assignments(settings.solutions)
    if not assignments:
        raise GraderError(f"no source notebooks under {settings.solutions}")
    if settings.assignment is not None and settings.assignment not in assignments:
        raise GraderError(f"unknown assignment {settings.assignment!r}; known: {', '.join(assignments)}")
    checked = {path.stem.removeprefix("test_") for path in HIDDEN.glob("test_*.py")}
    try:
        cells = read_cells(notebook)
        assignment = assignments[settings.assignment] if settings.assignment else identify(cells, assignments)
        if settings.assignment and not any(likeness(holdings(cells), assignment)):  # (identify saw to it)
            raise NotebookError(f"This notebook has none of {assignment.name}'s graded cells and defines none of "
                                "its graded functions.")
    except NotebookError as exc:
        if settings.assignment is None:
            orphans = sorted(checked - set(assignments))
            raise NotebookError(str(exc) + "".join(
                f" (autograder/hidden/test_{a}.py checks an assignment that has no source notebook "
                f"{a}/{a}.ipynb under {settings.solutions})" for a in orphans)) from None
        assignment = assignments[settings.assignment]
        return Grading(assignment, Reference(assignment), None, settings, notebook_error=str(exc))
    if assignment.name not in checked:
        raise GraderError(f"assignment {assignment.name} has no hidden checks: add autograder/hidden/"
                          f"test_{assignment.name}.py (docs/writing-a-hidden-check.md)")
    reference = Reference(assignment)  # before the student process: a broken reference fails the grader early
    student = Student(Program.of(assignment, cells), reference, layers=LAYERS if settings.sandbox else (),
                      limits=settings.limits)
    return Grading(assignment, reference, student, settings)


def run_checks(notebook: Path, settings: Settings) -> Results:
    try:
        grading = open_grading(notebook, settings)
    except NotebookError as exc:
        return Results(None, output=f"Score: 0. {exc}", notebook_error=str(exc))
    try:
        off = [option for name in UNUSED_PLUGINS for option in ("-p", f"no:{name}")]
        code = pytest.main([str(HIDDEN / f"test_{grading.assignment.name}.py"), "--disable-plugin-autoload", *off,
                            "-c", str(HIDDEN / "pytest.ini"), "--rootdir", str(HIDDEN)], plugins=[grading])
    finally:
        grading.close()
    if grading.failures or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderError("; ".join(grading.failures) or f"the hidden checks did not run (pytest exit code {code})")
    results = grading.results()
    results.output = headline(results)
    return results


def headline(results: Results) -> str:
    """The top of the student's feedback: the score, what could not be graded at all, and how it ran."""
    lines = [f"{results.assignment}: {results.score:g} / {results.max_score:g} points."]
    if results.notebook_error:
        lines.append(results.notebook_error)
    lines += [f"Note: {text[0].upper()}{text[1:]}" for text in results.problems.values()]
    if results.isolation == "none":
        lines.append("(Graded without a sandbox: the student code ran as a separate process with limits.)")
    return "\n".join(lines)
