"""Read notebooks: the instructor's source notebooks (the rubric and the reference) and a student's copy.

Notebooks are read as plain JSON rather than through nbformat: nbformat's import pulls in jsonschema's
format checkers, which cost about two seconds per grading process, and the grader needs only the cells'
source and nbgrader metadata. Everything a student's file can get wrong becomes a `NotebookError` whose
message says what to fix.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path


class NotebookError(Exception):
    """The student's notebook cannot be graded at all; the message says why, for the student."""


@dataclass(frozen=True)
class Cell:
    grade_id: str
    source: str


@dataclass
class Assignment:
    """What the source notebook in solutions/<name>/ says about one assignment."""

    name: str
    path: Path
    answers: list[Cell]  # the answer cells, solution included: the reference, in notebook order
    rubric: dict[str, float]  # qualified name of a graded function -> points (from its test cell)
    grade_ids: set[str] = field(default_factory=set)  # every nbgrader id: how a submission is recognised

    @property
    def max_score(self) -> float:
        return sum(self.rubric.values())

    def defined_in(self, name: str) -> str | None:
        """The id of the answer cell whose code defines `name` at top level, if any."""
        for cell in self.answers:
            if name in top_level_names(cell.source):
                return cell.grade_id
        return None


def qualname_of(grade_id: str) -> str:
    """Test cells are named after the function they check, with '.' written '-' (nbgrader's id rules)."""
    return grade_id.replace("-", ".")


def read_notebook(path: Path) -> dict:
    """A notebook file's JSON document, checked to have a list of cells; NotebookError says what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path} could not be read: {exc}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{Path(path).name} is not a valid notebook: its JSON is broken ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}). It was probably edited outside Jupyter or saved half-way; open it in "
            "Jupyter, or restore it from your repository's history."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(f"{Path(path).name} is JSON but not a Jupyter notebook (version 4): it has no cells.")
    return data


def cells_of(notebook: dict, kind: str | None = "code") -> list[dict]:
    """The cells of a notebook document (of one `kind`, or all), each as {"cell_type", "source" (one
    string), "nbgrader" (its nbgrader metadata, {} if none)}; malformed cells are skipped."""
    found = []
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or (kind is not None and cell.get("cell_type") != kind):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
        meta = dict(meta) if isinstance(meta, dict) else {}
        if not isinstance(meta.get("grade_id", ""), str):  # an id edited into a list or a number: no id at all
            del meta["grade_id"]
        found.append({"cell_type": cell.get("cell_type"), "source": str(source), "nbgrader": meta})
    return found


def read_cells(path: Path, kind: str | None = "code") -> list[dict]:
    """The cells of a notebook file (code cells by default); see `cells_of`."""
    return cells_of(read_notebook(path), kind)


def load_assignment(path: Path) -> Assignment:
    """Read one source notebook (trusted: it is the instructor's)."""
    answers, rubric, grade_ids = [], {}, set()
    for cell in read_cells(path):
        meta = cell["nbgrader"]
        if "grade_id" not in meta:
            continue
        grade_ids.add(meta["grade_id"])
        if meta.get("solution") and not meta.get("grade"):
            answers.append(Cell(meta["grade_id"], cell["source"]))
        elif meta.get("grade") and not meta.get("solution"):
            rubric[qualname_of(meta["grade_id"])] = float(meta.get("points", 0))
    return Assignment(Path(path).stem, Path(path), answers, rubric, grade_ids)


def load_assignments(solutions: Path) -> dict[str, Assignment]:
    found = {}
    for path in sorted(Path(solutions).glob("*/*.ipynb")):
        if path.parent.name == path.stem and ".ipynb_checkpoints" not in path.parts:
            found[path.stem] = load_assignment(path)
    return found


def identify(cells: list[dict], assignments: dict[str, Assignment]) -> Assignment:
    """The assignment a student's notebook belongs to, from its nbgrader cell ids (not its file name)."""
    ids = {c["nbgrader"].get("grade_id") for c in cells}
    overlap = {name: len(ids & a.grade_ids) for name, a in assignments.items()}
    best = max(overlap, key=overlap.get, default=None)
    if best is None or overlap[best] == 0:
        raise NotebookError(
            "This notebook has none of the course's graded cells, so there is nothing to grade. Submit the "
            "notebook you were given (cells you fill in keep hidden ids: copy your code back into them)."
        )
    return assignments[best]


def student_answers(cells: list[dict], assignment: Assignment) -> tuple[list[Cell], dict[str, str]]:
    """The student's version of each answer cell, and a note for each one that is missing."""
    by_id: dict[str, str] = {}
    for cell in cells:
        grade_id = cell["nbgrader"].get("grade_id")
        if grade_id and grade_id not in by_id:  # a duplicated cell: the first copy counts, as in nbgrader
            by_id[grade_id] = cell["source"]
    found, missing = [], {}
    for answer in assignment.answers:
        if answer.grade_id in by_id:
            found.append(Cell(answer.grade_id, strip_magics(by_id[answer.grade_id])))
        else:
            missing[answer.grade_id] = (
                f"The answer cell '{answer.grade_id}' is missing from your notebook (deleted, or its code "
                "pasted into a new cell, which the grader does not read)."
            )
    return found, missing


MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


def strip_magics(source: str) -> str:
    """Jupyter's %magics and !shell lines are not Python: they are commented out, not run."""
    return MAGIC.sub(r"\1pass  # \2", source)


def top_level_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names
