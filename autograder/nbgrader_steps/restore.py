"""Restore a submission's nbgrader cells from the gradebook, and say what the student changed.

nbgrader's own guard, OverwriteCells, puts back a locked cell's source and points, but
- it warns "checksum has changed" for every student while the source notebooks hold hidden tests (the
  gradebook keeps the hidden block, the release does not: nbgrader #1961), which drowns the real cases;
- it does not bring back a deleted test cell (its `add_missing_cells` fails when the cell before it is gone too);
- a copied cell (an id twice) or a stranger's nbgrader metadata ends the whole run (DeduplicateIds leaves
  `{}`, which CheckCellMetadata rejects as "old schema"), and an answer cell marked as graded fails its notebook.
This step, placed before them in `Autograde.sanitize_preprocessors`, leaves them nothing to do: every test
cell is rebuilt from the gradebook (source, points, flags) after comparing it with what the student received,
a deleted one is put back, every other known cell gets its gradebook flags, and of an id seen twice only the
first cell keeps it (as the grader reads it). What changed goes to the batch's list, naming the student.
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from ..grading.notebook import plain
from .run import batch_of


@dataclass(frozen=True)
class Expected:
    """One cell of the source notebook as the gradebook holds it."""

    name: str
    source: str  # the instructor's, hidden block included
    released: str  # what students received
    locked: bool
    solution: bool
    task: bool
    points: float | None  # None: not a graded cell

    @property
    def is_test(self) -> bool:
        return self.points is not None and not self.solution

    def metadata(self) -> dict:
        meta = {"grade": self.points is not None, "grade_id": self.name, "locked": self.locked,
                "schema_version": 3, "solution": self.solution, "task": self.task}
        return meta | ({"points": self.points} if self.points is not None else {})


def expected_cells(step: NbGraderPreprocessor, db_url: str, assignment: str, notebook: str) -> list[Expected]:
    """The source notebook's nbgrader cells, in order."""
    hide = ClearHiddenTests(parent=step)  # the instructor's delimiters, if configured

    def released(source: str) -> str:
        cell = NotebookNode(source=source, cell_type="code", metadata={})
        hide._remove_hidden_test_region(cell)
        return cell.source

    with Gradebook(db_url) as gb:
        nb = gb.find_notebook(notebook, assignment)
        points = {c.name: float(c.max_score) for c in nb.grade_cells}
        solutions, tasks = {c.name for c in nb.solution_cells}, {c.name for c in nb.task_cells}
        return [Expected(c.name, c.source, released(c.source) if c.name in points else c.source, c.locked,
                         c.name in solutions, c.name in tasks, points.get(c.name)) for c in nb.source_cells]


class RestoreTestCells(NbGraderPreprocessor):
    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        ids = resources["nbgrader"]
        batch = batch_of(self)
        where = (ids["assignment"], ids["notebook"])
        if where not in batch.expected:
            batch.expected[where] = expected_cells(self, ids["db_url"], *where)
        expected = {c.name: c for c in batch.expected[where]}
        tests_by_source = {plain(c.released): c.name for c in expected.values() if c.is_test}
        changes, seen, moved = [], set(), {}
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            if meta is None:
                continue
            name = meta.get("grade_id") if isinstance(meta, dict) else None
            name = name if isinstance(name, str) else None
            if name not in expected or name in seen:  # a copy, or an id the gradebook does not know
                del cell.metadata["nbgrader"]
                holds = tests_by_source.get(plain(cell.get("source")))
                if holds and holds != name:
                    moved[holds] = name
                elif name in seen and expected[name].is_test:
                    changes.append(f"test cell {name} copied (the copy is ignored)")
                elif isinstance(meta, dict) and meta.get("grade") and name not in seen:
                    changes.append(f"a graded cell {name!r} added (ignored)" if name else "a graded cell added")
                continue
            seen.add(name)
            changes += changes_to(cell, meta, expected[name], tests_by_source)
            if expected[name].is_test:
                rebuild(cell, expected[name])
            cell.metadata["nbgrader"] = expected[name].metadata()
        key, unreadable = (ids["student"], ids["assignment"]), (ids["student"], *where) in batch.unreadable
        for name in put_back_deleted(nb, batch.expected[where], seen):
            if not unreadable:
                changes.append(f"test cell {name} deleted" if name not in moved else
                               f"test cell {name} re-pointed to id {moved[name]!r}" if moved[name] else
                               f"test cell {name}: id removed or not a string")
        if changes:
            batch.look(key, "tampering: " + "; ".join(changes) + " -- graded with the original test cells", self.log)
        lost = [c.name for c in batch.expected[where] if c.solution and not c.points and c.name not in seen]
        if lost and not unreadable:
            batch.look(key, f"answer cell {', '.join(lost)} missing (deleted, or its id changed)", self.log)
        return nb, resources


def changes_to(cell: NotebookNode, meta: dict, expected: Expected, tests_by_source: dict) -> list[str]:
    """What differs from the release in a known cell: a test cell's type and checks, any cell's nbgrader flags."""
    what = []
    if expected.is_test and cell.cell_type != "code":
        what.append(f"turned into a {cell.cell_type} cell")
    if expected.is_test and plain(cell.get("source")) not in (plain(expected.released), plain(expected.source)):
        holds = tests_by_source.get(plain(cell.get("source")))
        what.append(f"holds the checks of {holds}" if holds else "checks edited")
    should = expected.metadata()
    what += [f"'{flag}' set to {meta.get(flag)!r}" for flag in ("grade", "solution", "locked")
             if bool(meta.get(flag)) != should[flag]]
    if (should["grade"] or meta.get("grade")) and not same_number(meta.get("points"), expected.points):
        what.append(f"points set to {meta.get('points')!r}" +
                    (f" (should be {expected.points:g})" if expected.points is not None else ""))
    return [f"{'test cell' if expected.is_test else 'cell'} {expected.name}: " + ", ".join(what)] if what else []


def same_number(a, b) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def rebuild(cell: NotebookNode, expected: Expected) -> None:
    cell.cell_type, cell.source, cell.outputs, cell.execution_count = "code", expected.source, [], None
    cell.pop("attachments", None)


def put_back_deleted(nb: NotebookNode, cells: list[Expected], seen: set[str]) -> list[str]:
    """Insert each missing test cell after the nearest earlier source cell the notebook still has."""
    missing = []
    for i, expected in enumerate(cells):
        if not expected.is_test or expected.name in seen:
            continue
        at = {c.metadata.get("nbgrader", {}).get("grade_id"): k for k, c in enumerate(nb.cells)}
        before = [at[c.name] for c in cells[:i] if c.name in at]
        nb.cells.insert(max(before) + 1 if before else len(nb.cells), nbformat.v4.new_code_cell(
            expected.source, metadata={"deletable": False, "editable": False, "nbgrader": expected.metadata()}))
        seen.add(expected.name)
        missing.append(expected.name)
    return missing
