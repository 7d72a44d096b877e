"""The course: source notebooks, the committed student release, the figures."""

from __future__ import annotations

import ast
import filecmp
import importlib
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS, ROOT, code_cells, release, source
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograder.course import HIDDEN
from autograder.grading.checks import Check
from autograder.grading.notebook import read_cells


def checked_functions(a: str) -> set[str]:
    """The functions the hidden checks of `a` declare (@check), read from the module itself."""
    if str(HIDDEN) not in sys.path:
        sys.path.insert(0, str(HIDDEN))  # (the checks import their shared helpers as pytest would)
    module = importlib.import_module(f"test_{a}")
    return {obj.check.function for obj in vars(module).values() if isinstance(getattr(obj, "check", None), Check)}


STDLIB_OK = {"numpy", "matplotlib", "warnings", "math"}  # what a student's notebook may import


def nbgrader_meta(cell: dict) -> dict:
    return cell["nbgrader"]


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_source_notebook_declares_answer_and_test_cells_in_nbgrader_schema_3(a):
    cells = [c for c in read_cells(source(a), kind=None) if nbgrader_meta(c)]
    assert all(nbgrader_meta(c)["schema_version"] == 3 for c in cells)
    answers = [c for c in cells if nbgrader_meta(c)["solution"]]
    tests = [c for c in cells if nbgrader_meta(c)["grade"]]
    assert answers and all("### BEGIN SOLUTION" in "".join(c["source"]) for c in answers)
    # The graded API: a test cell with points per function the hidden checks check, and no other.
    assert {nbgrader_meta(c)["grade_id"].replace("-", ".") for c in tests} == checked_functions(a)
    assert all(nbgrader_meta(c)["points"] > 0 and nbgrader_meta(c)["locked"] for c in tests)
    assert all("### BEGIN HIDDEN TESTS" in "".join(c["source"]) for c in tests)


def test_grade_ids_are_unique_across_assignments_so_a_notebook_is_recognised_by_its_cells():
    ids = [nbgrader_meta(c)["grade_id"] for a in ASSIGNMENTS for c in read_cells(source(a), kind=None)
           if nbgrader_meta(c)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_committed_release_is_what_nbgrader_generates_now(a, generated_release):
    fresh = generated_release / a
    assert (fresh / f"{a}.ipynb").read_bytes() == release(a).read_bytes(), \
        f"exercises/{a} is stale: run `make release`"
    compare = filecmp.dircmp(fresh, release(a).parent)
    assert not compare.left_only and not compare.right_only and not compare.diff_files


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_release_carries_no_solution_and_no_hidden_test(a):
    text = release(a).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    # Lines that only the solution and hidden blocks of the source contain must not reach the release.
    secret, public = set(), set()
    for cell in code_cells(source(a)):
        body = "".join(cell["source"])
        blocks = re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", body, re.S)
        secret |= {line.strip() for block in blocks for line in block.splitlines()}
        public |= {line.strip() for line in re.sub(r"### BEGIN.*?### END[^\n]*", "", body, flags=re.S).splitlines()}
    released = {line.strip() for cell in code_cells(release(a)) for line in "".join(cell["source"]).splitlines()}
    assert secret - public
    assert not (secret - public) & released
    stubs = [c for c in code_cells(release(a)) if nbgrader_meta(c).get("solution")]
    assert stubs and all("raise NotImplementedError()" in "".join(c["source"]) for c in stubs)


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_student_notebook_needs_only_numpy_and_matplotlib(a):
    for cell in code_cells(release(a)):
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            names = [n.name for n in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) else []
            assert {n.split(".")[0] for n in names} <= STDLIB_OK, names


IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]*src=[\"']([^\"']+)")


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_every_image_in_the_release_resolves_from_the_notebook_folder(a):
    refs = [m.group(1) or m.group(2) for c in read_cells(release(a), kind="markdown")
            for m in IMAGE.finditer(c["source"])]
    assert refs, "the lesson shows figures"
    for ref in refs:
        assert not ref.startswith(("http", "/", "attachment:")), ref
        assert (release(a).parent / ref).is_file(), f"{ref} does not resolve from exercises/{a}/"


DATA = re.compile(r"""np\.(?:loadtxt|genfromtxt|load)\(\s*["']([^"']+)["']""")


def test_every_data_file_a_release_reads_is_in_its_folder():
    refs = [(a, m.group(1)) for a in ASSIGNMENTS for c in code_cells(release(a))
            for m in DATA.finditer("".join(c["source"]))]
    assert refs, "02 reads the breast cancer data from a file"
    for a, ref in refs:
        assert not ref.startswith(("http", "/")), ref
        assert (release(a).parent / ref).is_file(), f"{ref} does not resolve from exercises/{a}/"


def test_figures_in_the_assignments_are_the_ones_assets_draws():
    result = subprocess.run([sys.executable, str(ROOT / "assets" / "draw.py"), "--check"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for copy in ROOT.glob("solutions/*/assets/*.png"):
        assert copy.read_bytes() == (ROOT / "assets" / copy.name).read_bytes()


def run_notebook(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_reference_notebook_runs_clean_with_every_check_passing(a):
    nb = run_notebook(source(a))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_untouched_release_runs_up_to_its_first_stub(a):
    with pytest.raises(CellExecutionError) as raised:
        run_notebook(release(a))
    assert raised.value.ename == "NotImplementedError"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_hidden_checks_live_only_in_autograder_hidden_and_each_test_cell_points_there(a):
    for cell in code_cells(source(a)):
        if cell["nbgrader"].get("grade") and not cell["nbgrader"].get("solution"):
            blocks = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell["source"], re.S)
            assert [block.strip() for block in blocks] == \
                [f"# The hidden checks of this function: autograder/hidden/test_{a}.py"], cell["nbgrader"]["grade_id"]
    assert (ROOT / "autograder" / "hidden" / f"test_{a}.py").is_file()
