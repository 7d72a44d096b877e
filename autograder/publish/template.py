"""The repository a student receives: `python -m autograder template OUT [--assignment A ...] [--workflow]`.

Laid out as a Classroom 50 assignment template and usable as a plain GitHub template repository:
<a>/<a>.ipynb (the release from exercises/), a student README, requirements.txt (numpy and matplotlib:
all the notebooks import), .gitignore, and a workflow that runs the notebooks' visible checks on every
push (it needs no secret). Figures are embedded in the notebooks as cell attachments, because a notebook
opened in Colab straight from GitHub comes without its folder; any other file beside a notebook (data)
is copied next to it. With one --assignment it is the template of that one Classroom 50 assignment;
--workflow also adds the grading workflow of `python -m autograder workflow`.
"""

from __future__ import annotations

import base64
import gzip
import mimetypes
import re
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import nbformat

from ..course import EXERCISES, SOLUTIONS

PINNED = ("numpy", "pytest")  # what grading imports beyond the standard library: the graders install these
TEMPLATES = Path(__file__).resolve().parent / "templates"
IMAGE = re.compile(r"!\[([^\]]*)\]\((?!attachment:|https?:|data:)([^)\s]+)\)")  # a Markdown image of a local file


def render(name: str, **values: str) -> str:
    """The template file `name` with each @@KEY@@ replaced (the files also hold shell `$` and `${{ }}`)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@@{key.upper()}@@", value)
    if "@@" in text:
        raise ValueError(f"{name}: a placeholder was left unfilled")
    return text


def python_version() -> str:
    """The Python that workflows and bundles pin: the one running this, with the packages of `pins()`."""
    return ".".join(map(str, sys.version_info[:2]))


def pins() -> list[str]:
    """The grader's packages at the versions installed here (the versions its tests ran with)."""
    return [f"{name}=={version(name)}" for name in PINNED]


def assignments() -> list[str]:
    return sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").is_file())


def embed_figures(notebook: nbformat.NotebookNode, folder: Path) -> set[Path]:
    """Replace each Markdown image of a local file by a cell attachment; returns the files embedded."""
    embedded = set()
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue

        def attach(match: re.Match, cell=cell) -> str:
            path = folder / match[2]
            if not path.is_file():
                return match[0]
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            cell.setdefault("attachments", {})[path.name] = {mime: base64.b64encode(path.read_bytes()).decode()}
            embedded.add(path.resolve())
            return f"![{match[1]}](attachment:{path.name})"

        cell.source = IMAGE.sub(attach, cell.source)
    return embedded


DATA_CELL = """\
# Opened in Colab straight from GitHub, a notebook comes without its folder: this cell writes the data file
# {name} next to the notebook when it is missing (its bytes are embedded below, compressed).
import base64, gzip, pathlib
if not pathlib.Path("{name}").exists():
    pathlib.Path("{name}").write_bytes(gzip.decompress(base64.b64decode("{payload}")))"""


def embed_data(notebook: nbformat.NotebookNode, folder: Path) -> None:
    """Before the first code cell that reads a data file of the folder, a cell that recreates the file."""
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix not in (".ipynb", ".png")):
        readers = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and path.name in c.source]
        if readers:
            payload = base64.b64encode(gzip.compress(path.read_bytes(), mtime=0)).decode()
            cell = nbformat.v4.new_code_cell(DATA_CELL.format(name=path.name, payload=payload))
            notebook.cells.insert(readers[0], cell)


def write_assignment(release: Path, dest: Path) -> None:
    """One assignment's folder: its notebook with figures and data embedded, and the files it did not embed."""
    notebook = nbformat.read(release / f"{release.name}.ipynb", as_version=4)
    embedded = embed_figures(notebook, release)
    embed_data(notebook, release)
    dest.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, dest / f"{release.name}.ipynb")
    for path in sorted(release.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(release).parts)  # .ipynb_checkpoints
        if path.is_file() and not hidden and path.suffix != ".ipynb" and path.resolve() not in embedded:
            (dest / path.relative_to(release)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / path.relative_to(release))


def main(out: Path, chosen: list[str] | None = None) -> int:
    out = Path(out)
    names = chosen or assignments()
    unknown = [a for a in names if not (EXERCISES / a / f"{a}.ipynb").is_file()]
    if unknown:
        print(f"unknown assignment {', '.join(unknown)}; exercises/ has no such notebook", file=sys.stderr)
        return 2
    for a in names:
        write_assignment(EXERCISES / a, out / a)
    listing = "\n".join(f"- [`{a}/{a}.ipynb`]({a}/{a}.ipynb)" for a in names)
    (out / "README.md").write_text(render("student-README.md", notebooks=listing), encoding="utf-8")
    (out / "requirements.txt").write_text("numpy>=1.24\nmatplotlib>=3.7\n")
    (out / ".gitignore").write_text(render("gitignore"))
    (out / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    (out / ".github" / "check_notebooks.py").write_text(render("check_notebooks.py"))
    (out / ".github" / "workflows" / "checks.yml").write_text(render("checks.yml", python=python_version()))
    print(f"wrote the student template for {', '.join(names)} in {out}/")
    return 0
