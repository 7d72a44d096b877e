"""The student template: what a student receives, and that nothing hidden is in it."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS, ROOT, code_cells, release, source

from autograder import grade
from autograder.publish.template import main as write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("template") / "repository"
    assert write_template(out) == 0
    return out


def texts(folder: Path) -> dict[Path, str]:
    """Every file's text; for a notebook, its cells' sources (attachments are figures, not text)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".ipynb":
            found[path] = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        elif path.suffix != ".png":
            found[path] = path.read_text(encoding="utf-8")
    return found


def test_template_is_laid_out_for_classroom_50_and_plain_github(template):
    files = {p.relative_to(template).as_posix() for p in template.rglob("*") if p.is_file()}
    data = {f"{a}/{p.name}" for a in ASSIGNMENTS for p in (ROOT / "exercises" / a).iterdir()
            if p.is_file() and p.suffix not in (".ipynb", ".png")}
    assert files == {"README.md", "requirements.txt", ".gitignore", ".github/check_notebooks.py",
                     ".github/workflows/checks.yml", *(f"{a}/{a}.ipynb" for a in ASSIGNMENTS), *data}
    readme = (template / "README.md").read_text()
    for a in ASSIGNMENTS:
        assert f"({a}/{a}.ipynb)" in readme
    for topic in ("Colab", "check cell", "git push", "Releases", "Actions"):
        assert topic in readme
    assert "result.json" in (template / ".gitignore").read_text()


def test_requirements_are_only_what_the_notebooks_import(template):
    names = {re.split(r"[<>=~ ]", line)[0] for line in (template / "requirements.txt").read_text().split()}
    assert names == {"numpy", "matplotlib"}


def test_template_holds_no_solution_line_and_no_line_of_the_hidden_checks(template):
    secret = set()
    for a in ASSIGNMENTS:
        for cell in code_cells(source(a)):
            blocks = re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", "".join(cell["source"]), re.S)
            secret |= {line.strip() for block in blocks for line in block.splitlines()}
    for path in (ROOT / "autograder" / "hidden").glob("*.py"):
        secret |= {line.strip() for line in path.read_text().splitlines()}
    # What the release shows anyway (imports, a tip in the lesson) and bare syntax give nothing away.
    shown = "\n".join(texts(release(a).parent)[release(a)] for a in ASSIGNMENTS)
    secret = {line for line in secret if len(re.sub(r"\W", "", line)) >= 6 and line not in shown}
    assert len(secret) > 500
    corpus = texts(template)
    leaks = {f"{path.name}: {line}" for line in secret for path, text in corpus.items() if line in text}
    assert not leaks


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_figures_are_inside_the_notebook_so_colab_shows_them(a, template):
    notebook = nbformat.read(template / a / f"{a}.ipynb", as_version=4)
    nbformat.validate(notebook)
    images = [(m[1], cell) for cell in notebook.cells if cell.cell_type == "markdown"
              for m in re.finditer(r"!\[[^\]]*\]\(([^)\s]+)\)", cell.source)]
    assert images
    for ref, cell in images:
        assert ref.startswith("attachment:"), ref
        name = ref.removeprefix("attachment:")
        data = base64.b64decode(cell.attachments[name]["image/png"])
        assert data == (release(a).parent / "assets" / name).read_bytes()


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_template_notebook_has_the_releases_code_cells_and_grades_to_zero(a, template):
    notebook = template / a / f"{a}.ipynb"
    data_cells = [c for c in code_cells(notebook) if "gzip.decompress" in c["source"]]  # see the test below
    assert [c for c in code_cells(notebook) if c not in data_cells] == code_cells(release(a))
    results = grade(notebook).to_dict()
    assert results["extra_data"]["assignment"] == a
    assert results["score"] == 0 and all("not written yet" in t["output"] for t in results["tests"])


def test_a_notebook_opened_without_its_folder_recreates_its_data_file(template, tmp_path):
    # Colab opened from GitHub: the notebook alone. The data cell must write the file the next cell reads.
    a = "02_logistic_regression"
    data = ROOT / "exercises" / a / "breast_cancer_wisconsin.csv"
    cells = nbformat.read(template / a / f"{a}.ipynb", as_version=4).cells
    writer = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "gzip.decompress" in c.source)
    assert data.name in cells[writer + 1].source  # right before the first cell that reads it
    subprocess.run([sys.executable, "-c", cells[writer].source], cwd=tmp_path, check=True, timeout=60)
    assert (tmp_path / data.name).read_bytes() == data.read_bytes()
