"""A scratch nbgrader course, for the demo, the tests and the benchmark: never the repository's gradebook.

The course folder gets a copy of solutions/<a>/ and an nbgrader_config.py that loads the repository's (so it
autogrades through the autograder) and moves the root, and with it the gradebook, submitted/, autograded/,
feedback/ and exercises/, into the folder. `stock=True` gives back nbgrader's own steps (Execute in a kernel),
to compare with.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..course import ROOT, SOLUTIONS

NBGRADER_DEFAULTS = ("exporter_class", "sanitize_preprocessors", "autograde_preprocessors")


def make_course(folder: Path, assignments: list[str], *, db_url: str | None = None, stock: bool = False,
                hidden_tests: str = "as they are") -> Path:
    """A course in `folder` with these assignments' source notebooks, their test cells' `### BEGIN HIDDEN
    TESTS` blocks "as they are", "removed" or with one "added" to each (nbgrader's way of hiding asserts)."""
    folder = Path(folder)
    for a in assignments:
        shutil.copytree(SOLUTIONS / a, folder / "solutions" / a, dirs_exist_ok=True)
        if hidden_tests != "as they are":
            edit_hidden_tests(folder / "solutions" / a / f"{a}.ipynb", add=hidden_tests == "added")
    lines = ["c = get_config()  # noqa: F821", f"load_subconfig({str(ROOT / 'nbgrader_config.py')!r})  # noqa: F821",
             f"c.CourseDirectory.root = {str(folder)!r}"]
    lines += [f"c.CourseDirectory.db_url = {db_url!r}"] if db_url else []
    lines += [f"c.Autograde.pop({key!r}, None)  # nbgrader's own" for key in NBGRADER_DEFAULTS] if stock else []
    (folder / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


HIDDEN_ASSERT = "assert 'a hidden assert' != 'shown to students'"


def edit_hidden_tests(notebook: Path, add: bool) -> None:
    """Drop each hidden test block, markers included (as a release does), or add one to each test cell."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        kept, hidden = [], False
        for line in "".join(cell["source"]).split("\n"):
            hidden = hidden or "### BEGIN HIDDEN TESTS" in line
            if add or not hidden:
                kept.append(line)
            hidden = hidden and "### END HIDDEN TESTS" not in line
        if add and meta.get("grade") and not meta.get("solution"):
            kept += ["### BEGIN HIDDEN TESTS", HIDDEN_ASSERT, "### END HIDDEN TESTS"]
        cell["source"] = "\n".join(kept)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def submit(folder: Path, student: str, assignment: str, notebook: Path | None) -> Path:
    """Put `notebook` where nbgrader collects it: submitted/<student>/<assignment>/<assignment>.ipynb
    (None: an empty submission folder)."""
    target = Path(folder) / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    if notebook is not None:
        shutil.copyfile(notebook, target / f"{assignment}.ipynb")
    return target


def nbgrader(folder: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a stock nbgrader command in the course folder (the virtualenv's bin on PATH: nbgrader runs alembic)."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run([os.path.join(bin_dir, "nbgrader"), *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=timeout)
