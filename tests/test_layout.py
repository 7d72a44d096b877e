"""The layout is the architecture: the layering rules in pyproject.toml ([tool.importlinter]) hold. The
command line sits over the front doors (nbgrader_steps, classwide, publish), which sit over the grading
core, which sits over the sandbox; what runs inside the sandbox imports no other part of the grader and no
library but numpy; no folder's modules import each other in a circle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_every_import_follows_the_layers_declared_in_pyproject():
    lint = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "3 kept, 0 broken" in run.stdout


def test_the_grader_has_a_folder_per_part_and_no_flat_modules_beside_them():
    top = sorted(p.name for p in (ROOT / "autograder").iterdir() if p.name != "__pycache__")
    assert top == ["__init__.py", "__main__.py", "classwide", "course.py", "demo.py", "grading", "hidden",
                   "late", "nbgrader_steps", "publish", "sandbox"]


def test_the_tests_mirror_the_parts_and_only_project_wide_ones_sit_at_the_top():
    parts = {p.name for p in (ROOT / "autograder").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    tests = ROOT / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"}
    # hidden/ is the course's content: its tests are the course's, with the assignments and the release
    assert folders == parts - {"hidden"} | {"course", "submissions", "support"}
    assert sorted(p.name for p in tests.glob("test_*.py")) == ["test_docs.py", "test_layout.py"]
    for folder in sorted(folders - {"submissions", "support"}):
        assert list((tests / folder).glob("test_*.py")), f"tests/{folder}/ holds no tests"
    names = [p.name for p in tests.rglob("test_*.py") if "submissions" not in p.parts]
    assert len(names) == len(set(names)), "two test modules share a name (pytest imports them by basename)"
