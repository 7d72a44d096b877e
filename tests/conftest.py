"""Shared fixtures of the project's own tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from autograder.grading.notebook import read_cells

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[0].isdigit())
BIN = str(Path(sys.executable).parent)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite the expected results of tests/submissions from the grader's current output")


def source(a: str) -> Path:
    """The instructor's source notebook of assignment `a`."""
    return ROOT / "solutions" / a / f"{a}.ipynb"


def release(a: str) -> Path:
    """The student release of assignment `a`."""
    return ROOT / "exercises" / a / f"{a}.ipynb"


def env_with_venv() -> dict:
    """nbgrader calls `alembic` by name: the virtualenv's bin comes first on PATH."""
    return dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))


def pin_wheels(python: str) -> Path:
    """A folder of wheels of the grader's pins (numpy, pytest and what they need) for Python `python`
    ("3.11"): the package index a bundle's installer is pointed at in the tests, as a bare runner or
    Gradescope's image would use PyPI. Downloaded once into .cache/wheels/ (ignored by git); the test skips,
    saying why, when it cannot be."""
    pins = [f"{name}=={version(name)}" for name in ("numpy", "pytest")]
    wheels = ROOT / ".cache" / "wheels" / python
    download = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
                               "--python-version", python, "--dest", str(wheels), *pins], capture_output=True,
                              text=True, timeout=600)
    if download.returncode != 0:
        pytest.skip(f"the pins' wheels for Python {python} could not be downloaded: {download.stderr[-300:]}")
    return wheels


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def code_cells(path: Path) -> list[dict]:
    """A notebook's code cells as the grader reads them, less their positions (to compare two notebooks)."""
    return [{k: v for k, v in cell.items() if k != "position"} for cell in read_cells(path)]


def grade_cli(notebook: Path, results: Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m autograder grade`, as CI and instructors run it."""
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(notebook), "--results", str(results),
                           *extra], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env_with_venv())


@pytest.fixture(scope="session")
def generated_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release nbgrader generates now from solutions/, into a scratch folder (one process for all)."""
    out = tmp_path_factory.mktemp("release")
    script = (
        "import sys\n"
        "from nbgrader.apps import NbGraderAPI\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "config = PyFileConfigLoader('nbgrader_config.py', path=sys.argv[1]).load_config()\n"
        "config.CourseDirectory.release_directory = sys.argv[2]\n"
        "config.CourseDirectory.db_url = 'sqlite:///' + sys.argv[2] + '/gradebook.db'\n"
        "api = NbGraderAPI(config=config)\n"
        "for a in sys.argv[3:]:\n"
        "    r = api.generate_assignment(a, force=True)\n"
        "    if not r['success']:\n"
        "        sys.exit(r['log'])\n"
    )
    subprocess.run([sys.executable, "-c", script, str(ROOT), str(out), *ASSIGNMENTS], cwd=ROOT, check=True,
                   env=env_with_venv(), capture_output=True, timeout=300)
    return out
