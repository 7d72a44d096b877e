"""docs/adding-an-assignment.md, followed to the letter in a copy of the course: its code blocks make a fourth
assignment (one graded function, one hidden check, one mistake), stock nbgrader releases it, and the results
the page quotes come out of `grade` and `grade-class`, with no file changed outside the assignment's own."""

from __future__ import annotations

import filecmp
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from conftest import ROOT, env_with_venv, read_json

PAGE = ROOT / "docs" / "adding-an-assignment.md"
NEW = ("solutions/04_double", "exercises/04_double", "autograder/hidden/test_04_double.py")
NBGRADER_STATE = ("gradebook.db", ".nbgrader.log")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", PAGE.read_text(encoding="utf-8"), re.M | re.S)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env_with_venv())
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def notebook(answer: str, test: str) -> nbformat.NotebookNode:
    """The source notebook the page describes: lesson, import, answer cell, test cell."""
    cells = [nbformat.v4.new_markdown_cell("# Doubling\n\nTwice a number, or every number of an array."),
             nbformat.v4.new_code_cell("import numpy as np"),
             nbformat.v4.new_code_cell(answer), nbformat.v4.new_code_cell(test)]
    cells[2].metadata.nbgrader = {"grade": False, "grade_id": "double_answer", "locked": False,
                                  "schema_version": 3, "solution": True, "task": False}
    cells[3].metadata.nbgrader = {"grade": True, "grade_id": "double", "locked": True, "points": 2,
                                  "schema_version": 3, "solution": False, "task": False}
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_the_page_adds_an_assignment_that_every_command_grades_with_no_edit_outside_it(tmp_path):
    course = tmp_path / "course"
    caches = shutil.ignore_patterns("__pycache__", *NBGRADER_STATE)
    for name in ("autograder", "solutions", "exercises"):
        shutil.copytree(ROOT / name, course / name, ignore=caches)
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    answer, test, hidden = blocks("python")
    (course / "solutions/04_double").mkdir()
    nbformat.write(notebook(answer, test), course / "solutions/04_double/04_double.ipynb")
    (course / "autograder/hidden/test_04_double.py").write_text(hidden, encoding="utf-8")

    outputs = []
    for line in blocks("bash")[0].strip().splitlines():  # step 3, as written, in the course's folder
        command = [sys.executable if word == "python" else word.replace("/tmp/", f"{tmp_path}/")
                   for word in shlex.split(line)]
        outputs.append(run(command, course).stdout)
    assert "04_double: 2 / 2 points" in outputs[1] and "04_double: 0 / 2 points" in outputs[2]
    assert read_json(tmp_path / "release.json")["tests"][0]["tags"] == ["double/not-written"]

    squares = read_json(course / "solutions/04_double/04_double.ipynb")
    squares["cells"][2]["source"] = "def double(x):\n    return np.asarray(x, dtype=float) ** 2\n"
    submitted = tmp_path / "submitted"
    for student, nb in (("ada", read_json(course / "solutions/04_double/04_double.ipynb")), ("bob", squares),
                        ("cy", read_json(course / "exercises/04_double/04_double.ipynb"))):
        (submitted / student / "04_double").mkdir(parents=True)
        (submitted / student / "04_double" / "04_double.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    one = run([sys.executable, "-m", "autograder", "grade", str(submitted / "bob/04_double/04_double.ipynb"),
               "--results", str(tmp_path / "bob.json")], course)
    assert "double(x) with x of shape (3,) is wrong: it squares x: double(x) is 2 * x, not x ** 2." in one.stdout
    assert read_json(tmp_path / "bob.json")["tests"][0]["tags"] == ["double/squared"]
    run([sys.executable, "-m", "autograder", "grade-class", str(submitted), "--out", str(tmp_path / "out")], course)
    rows = {r.split(",")[0]: r.split(",")[2] for r in (tmp_path / "out/grades.csv").read_text().splitlines()[1:]}
    assert rows == {"ada": "2", "bob": "0", "cy": "0"}
    mistakes = read_json(tmp_path / "out/summary.json")["assignments"]["04_double"]["mistakes"]
    assert {m["id"]: m["students"] for m in mistakes} == {"double/squared": ["bob"], "double/not-written": ["cy"]}

    changed = [str(p.relative_to(course)) for p in course.rglob("*") if p.is_file()
               and "__pycache__" not in p.parts and p.name not in NBGRADER_STATE
               and not str(p.relative_to(course)).startswith(NEW)
               and not filecmp.cmp(p, ROOT / p.relative_to(course), shallow=False)]
    assert changed == []
