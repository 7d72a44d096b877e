"""Where the course is: the one module that knows its folders.

The grader is the engine; the course is what it grades: the instructor's source notebooks (`solutions/`,
one folder per assignment), the student release nbgrader generates from them (`exercises/`), and the
hidden checks (`autograder/hidden/`, a `test_<assignment>.py` each). A Classroom 50 or Gradescope bundle
keeps the same layout, so these paths hold there too.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent  # the grader's own files (what a content hash covers)
ROOT = PACKAGE.parent  # the course repository
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
HIDDEN = PACKAGE / "hidden"
# What grading a notebook runs of the grader (with the hidden checks), and nothing else: a bundle ships these,
# and a class is graded again when one of them changes, not when the report or `collect` does.
GRADES = ("__init__.py", "course.py", "grading", "sandbox")


def grading_files() -> list[Path]:
    """The grader's files that decide a grade: GRADES and the hidden checks (not their caches)."""
    found = []
    for name in (*GRADES, "hidden"):
        path = PACKAGE / name
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return [p for p in found if "__pycache__" not in p.parts]
