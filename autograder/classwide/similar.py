"""Submissions whose graded code is the same: a signal for the instructor, never proof of copying.

The graded code is what the grader runs of a notebook (program.py): its answer cells, and the definitions
of cells of the student's own that graded code uses. Two notebooks match when that code is identical after
normalising away what
copying most easily changes: comments, docstrings, blank lines and layout (the code is parsed and printed
back), and the names of variables, arguments and helpers (renamed in order of first use). Attribute names
(`np.exp`, `self.weights`), keywords and builtins are kept, and so are the names the checks call. Short
exercises leave few ways to write the answer, so independent work can match too; the report says so.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
from collections import defaultdict
from pathlib import Path

from ..course import EXERCISES
from ..grading.notebook import Assignment, read_cells
from ..grading.program import Program

KEEP = frozenset(dir(builtins)) | {"self", "cls"}


class _Rename(ast.NodeTransformer):
    """Renames every name that is not kept to v0, v1, ... in order of first use; drops docstrings."""

    def __init__(self, keep: set[str]) -> None:
        self.keep, self.names = keep, {}

    def rename(self, name: str) -> str:
        return name if name in self.keep else self.names.setdefault(name, f"v{len(self.names)}")

    def generic_visit(self, node: ast.AST) -> ast.AST:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        return super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self.rename(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg, node.annotation = self.rename(node.arg), None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.name, node.returns = self.rename(node.name), None
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        node.name = self.rename(node.name)
        return self.generic_visit(node)


def normalise(sources: list[str], keep: set[str]) -> str | None:
    """The cells' code with comments, layout and names normalised; None if it does not parse."""
    renamer = _Rename(set(keep) | KEEP)
    try:
        return "\n".join(ast.unparse(renamer.visit(ast.parse(source))) for source in sources)
    except (SyntaxError, ValueError, RecursionError):  # student code: anything that does not parse back
        return None


def fingerprint(notebook: Path | None, assignment: Assignment) -> str | None:
    """A hash of the notebook's normalised graded code; None when there is nothing to compare."""
    if notebook is None:
        return None
    try:
        sources = Program.of(assignment, read_cells(notebook)).graded_sources()
    except Exception:  # an unreadable notebook, or student code no analysis can take: nothing to compare
        return None
    if not sources:
        return None
    keep = {part for name in assignment.rubric for part in name.split(".")}
    code = normalise(sources, keep)
    return hashlib.sha256(code.encode()).hexdigest() if code is not None else None


def groups(prints: dict[str, str | None], release: str | None = None) -> list[list[str]]:
    """Students (keys) whose fingerprints match, largest group first; the untouched release's is left out."""
    by_print: dict[str, list[str]] = defaultdict(list)
    for student, value in sorted(prints.items()):
        if value is not None and value != release:
            by_print[value].append(student)
    found = [students for students in by_print.values() if len(students) > 1]
    return sorted(found, key=lambda students: (-len(students), students))


def release_fingerprint(assignment: Assignment) -> str | None:
    """The fingerprint of the notebook students were given (exercises/), if it is there."""
    release = EXERCISES / assignment.name / f"{assignment.name}.ipynb"
    return fingerprint(release, assignment) if release.exists() else None
