"""Read notebooks: the instructor's source notebooks (the rubric and the reference) and a student's copy.

Notebooks are read as plain JSON rather than through nbformat: nbformat's import pulls in jsonschema's
format checkers, which cost about two seconds per grading process, and the grader needs only the cells'
source and nbgrader metadata. Everything a student's file can get wrong becomes a `NotebookError` whose
message says what to fix.
"""

from __future__ import annotations

import functools
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
    order: list[str] = field(default_factory=list)  # every nbgrader id, in notebook order
    tests: dict[str, str] = field(default_factory=dict)  # test cell id -> its source as released (no hidden block)
    given: dict[str, str] = field(default_factory=dict)  # id of every other nbgrader code cell -> its source

    @property
    def max_score(self) -> float:
        return sum(self.rubric.values())

    @property
    def grade_ids(self) -> set[str]:
        return set(self.order)

    @functools.cached_property
    def released_tests(self) -> dict[str, str]:
        """Each test cell's released source, as `plain` gives it -> its id (how a pasted test cell is known)."""
        return {plain(source): grade_id for grade_id, source in self.tests.items()}

    @functools.cached_property
    def given_sources(self) -> set[str]:
        """The other nbgrader code cells' sources, as `plain` gives them (the release's own code)."""
        return {plain(source) for source in self.given.values()}

    @property
    def answer_ids(self) -> set[str]:
        return {cell.grade_id for cell in self.answers}

    @property
    def roots(self) -> set[str]:
        """The top-level names the graded functions live under (`Neuron`, `relu`...)."""
        return {name.partition(".")[0] for name in self.rubric}

    def defined_in(self, name: str) -> str | None:
        """The id of the answer cell whose reference code defines `name` at top level, if any."""
        return next((cell.grade_id for cell in self.answers if name in DEFINES.findall(cell.source)), None)


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
    string), "nbgrader" (its nbgrader metadata, {} if none), "position" (1-based, among all cells)};
    malformed cells are skipped."""
    found = []
    for position, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict) or (kind is not None and cell.get("cell_type") != kind):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
        meta = dict(meta) if isinstance(meta, dict) else {}
        if not isinstance(meta.get("grade_id", ""), str):  # an id edited into a list or a number: no id at all
            del meta["grade_id"]
        found.append({"cell_type": cell.get("cell_type"), "source": str(source), "nbgrader": meta,
                      "position": position})
    return found


def read_cells(path: Path, kind: str | None = "code") -> list[dict]:
    """The cells of a notebook file (code cells by default); see `cells_of`."""
    return cells_of(read_notebook(path), kind)


def load_assignment(path: Path) -> Assignment:
    """Read one source notebook (trusted: it is the instructor's)."""
    assignment = Assignment(Path(path).stem, Path(path), [], {})
    for cell in read_cells(path, kind=None):
        meta, grade_id = cell["nbgrader"], cell["nbgrader"].get("grade_id")
        if grade_id is None:
            continue
        assignment.order.append(grade_id)
        if cell["cell_type"] != "code":
            continue
        if meta.get("solution") and not meta.get("grade"):
            assignment.answers.append(Cell(grade_id, cell["source"]))
        elif meta.get("grade") and not meta.get("solution"):
            assignment.rubric[qualname_of(grade_id)] = float(meta.get("points", 0))
            assignment.tests[grade_id] = HIDDEN_TESTS.sub("", cell["source"])
        else:
            assignment.given[grade_id] = cell["source"]
    return assignment


def load_assignments(solutions: Path) -> dict[str, Assignment]:
    found = {}
    for path in sorted(Path(solutions).glob("*/*.ipynb")):
        if path.parent.name == path.stem and ".ipynb_checkpoints" not in path.parts:
            found[path.stem] = load_assignment(path)
    return found


def holdings(cells: list[dict]) -> tuple[set, set, set]:
    """What a notebook's code cells hold, to compare with each assignment: their nbgrader ids, their sources
    as `plain` gives them, and their top-level def and class names."""
    return ({c["nbgrader"].get("grade_id") for c in cells}, {plain(c["source"]) for c in cells},
            {name for c in cells for name in DEFINES.findall(c["source"])})


def likeness(held: tuple[set, set, set], assignment: Assignment) -> tuple[int, float]:
    """How much of `assignment` a notebook holds (`holdings`): its cells (by nbgrader id, or a test cell by
    its released source, as a cell pasted without metadata has it), then the share of its graded names
    defined at the top level of some cell. (0, 0.0): nothing of it."""
    ids, sources, defined = held
    cells_held = len(ids & assignment.grade_ids) + len(sources & assignment.released_tests.keys())
    return cells_held, len(defined & assignment.roots) / max(len(assignment.roots), 1)


def identify(cells: list[dict], assignments: dict[str, Assignment]) -> Assignment:
    """The assignment a student's notebook belongs to, from its cells and the names it defines (not its
    file name)."""
    held = holdings(cells)
    scores = {name: likeness(held, a) for name, a in assignments.items()}
    best = max(scores, key=scores.get, default=None)
    if best is None or not any(scores[best]):
        raise NotebookError(
            "This notebook has none of the course's graded cells and defines none of its graded functions, so "
            "there is nothing to grade. Submit the notebook you were given, with your code in it."
        )
    return assignments[best]


def plain(source: str) -> str:
    """A cell's source without blank lines and trailing spaces: changing only those changes nothing."""
    return "\n".join(line.rstrip() for line in str(source).splitlines() if line.strip())


# nbgrader's default delimiters: the block a release leaves out of a test cell (ClearHiddenTests).
HIDDEN_TESTS = re.compile(r"^[^\n]*BEGIN HIDDEN TESTS.*?END HIDDEN TESTS[^\n]*\n?", re.MULTILINE | re.DOTALL)
DEFINES = re.compile(r"^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)", re.MULTILINE)  # top-level names, unparsed
MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


def strip_magics(source: str) -> str:
    """Jupyter's %magics and !shell lines are not Python: they are commented out, not run."""
    return MAGIC.sub(r"\1pass  # \2", source)

