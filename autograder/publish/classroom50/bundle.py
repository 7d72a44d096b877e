"""The Classroom 50 bundles: `python -m autograder classroom50 OUT --classroom NAME`.

Writes OUT/NAME/autograders/<slug>/ for each assignment, for the instructor to commit to the classroom's
config repository. Classroom 50's runner downloads that folder (published on the classroom's Pages site)
and runs its autograder.py in the student's checkout on every push. A bundle holds what grading needs and
nothing else: the entry point, this grader package, the hidden checks of that one assignment, the
reference (the source notebook reduced to its answer cells), and requirements.txt with the numpy and
pytest versions of the Python that built it. Slugs are the assignment names with '-' for '_', as
Classroom 50 allows only lowercase letters, digits and '-'.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ...course import GRADES, PACKAGE, ROOT, SOLUTIONS
from ...grading.notebook import HIDDEN_TESTS
from ..template import assignments, pins, python_version
from ..template import main as write_template

HERE = Path(__file__).resolve().parent
SHORT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}$")  # Classroom 50's rule for classroom and assignment names


def slug(assignment: str) -> str:
    return assignment.lower().replace("_", "-")


def answer_cells_only(source: Path) -> dict:
    """The source notebook with its nbgrader code cells only: the answer cells' code (the reference), and the
    other cells as students received them (test cells without their hidden block), by which a cell pasted
    without its metadata is still known."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and "grade_id" in meta:
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cells.append({**cell, "source": HIDDEN_TESTS.sub("", text), "outputs": [], "execution_count": None})
    return {**notebook, "cells": cells}


def copy(source: Path, target: Path) -> None:
    """A file or a folder (less Python's caches), its folder made if need be."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(source, target)


def write_bundle(dest: Path, assignment: str) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    package = dest / "autograder"
    for name in GRADES:  # the grading core and the sandbox, nothing of the report, nbgrader's steps or collect
        copy(PACKAGE / name, package / name)
    for name in ("__init__.py", "student_page.py", "classroom50", "gradescope"):  # what the entry points run
        copy(PACKAGE / "publish" / name, package / "publish" / name)
    hidden = package / "hidden"
    hidden.mkdir()
    for path in (PACKAGE / "hidden").iterdir():  # shared helpers and settings, and this assignment's checks only
        if path.is_file() and (not path.name.startswith("test_") or path.name == f"test_{assignment}.py"):
            shutil.copy2(path, hidden / path.name)
    reference = dest / "solutions" / assignment / f"{assignment}.ipynb"
    reference.parent.mkdir(parents=True)
    reference.write_text(json.dumps(answer_cells_only(SOLUTIONS / assignment / f"{assignment}.ipynb"),
                                    indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (dest / "requirements.txt").write_text("".join(f"{pin}\n" for pin in pins()))
    bundle = {"assignment": assignment, "notebooks": [f"{assignment}/{assignment}.ipynb", f"{assignment}.ipynb"],
              "python": list(sys.version_info[:2])}
    (dest / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")
    shutil.copy2(HERE / "autograder.py", dest / "autograder.py")


def main(out: Path, classroom: str, chosen: list[str] | None = None) -> int:
    if not SHORT_NAME.match(classroom):
        print(f"--classroom {classroom!r}: Classroom 50 short names are 2-39 lowercase letters, digits and '-'.",
              file=sys.stderr)
        return 2
    for assignment in chosen or assignments():
        write_bundle(Path(out) / classroom / "autograders" / slug(assignment), assignment)
        print(f"wrote {Path(out) / classroom / 'autograders' / slug(assignment)}/ (assignment {assignment})")
    print(f"Commit {classroom}/ to the classroom's config repository. Give each of these assignments "
          f'"runtime": {{"python": "{python_version()}", "apt": ["bubblewrap"]}} in assignments.json.')
    return 0


def demo(out: Path) -> None:
    """`make demo`: the student template and the bundles, then one bundle grading a sample checkout."""
    out = Path(out).resolve()
    write_template(out / "template")
    main(out / "config", "demo-class")
    assignment = "02_logistic_regression"
    checkout = out / "checkout"
    shutil.rmtree(checkout, ignore_errors=True)
    shutil.copytree(out / "template" / assignment, checkout / assignment)
    shutil.copy2(ROOT / "tests/submissions" / assignment / "bug_cost_missing_1_over_m.ipynb",
                 checkout / assignment / f"{assignment}.ipynb")
    tag = "submit/2026-12-01T10-00-00Z-0000000"
    url = f"https://github.com/demo-org/demo-class-{slug(assignment)}-student"
    env = dict(os.environ, CLASSROOM="demo-class", ASSIGNMENT=slug(assignment), SUBMISSION_TAG=tag,
               COMMIT_URL=f"{url}/commit/0000000", RELEASE_URL=f"{url}/releases/tag/{tag}", OWNER="student",
               ASSIGNMENT_TYPE="individual")
    entry = out / "config/demo-class/autograders" / slug(assignment) / "autograder.py"
    print(f"\n== Classroom 50: {entry.relative_to(out)} on a checkout with the cost missing its 1/m")
    subprocess.run([sys.executable, str(entry)], cwd=checkout, env=env, check=True)
    result = json.loads((checkout / "result.json").read_text(encoding="utf-8"))
    print(f"result.json: score {result['score']} / {result['max-score']} (points x{result['tests'][0]['scale']})")
    width = max(len(row["test-name"]) for row in result["tests"])
    for row in result["tests"]:
        verdict = "passed" if row["passed"] else " ".join(["failed", *row["tags"]])
        print(f"  {row['test-name']:<{width}}  {row['score']:>4} / {row['max-score']:<4}  {verdict}")
    print(f"release-body.md: {len((checkout / 'release-body.md').read_text(encoding='utf-8'))} characters")
