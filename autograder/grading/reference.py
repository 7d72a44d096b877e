"""The reference solution, taken from the instructor's source notebook: the single source of truth.

Its answer cells are run in the grader's own process (they are trusted code) and serve two purposes:
expected values for the checks, and stand-ins for the graded members a checked function calls, so that a
bug in `forward` does not also cost `compute_cost` its points. Which members stand in is read from the
reference's own code (its call graph): in a check of F, only the graded members that the reference's F
calls are the reference's; any other member the student's F calls is the student's own, so a stand-in is
never an oracle for a function that F has no business calling.
"""

from __future__ import annotations

import ast
import copy
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..sandbox.inside.protocol import Outcome
from .notebook import Assignment


class Reference:
    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        self._calls: dict[str, set[str]] = {}
        self.namespace: dict[str, Any] = {"__name__": f"reference_{assignment.name}", "np": np}
        for cell in assignment.answers:
            exec(compile(cell.source, f"<reference {cell.grade_id}>", "exec"), self.namespace)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["namespace"][name]
        except KeyError:
            raise AttributeError(name) from None

    def members(self, scope: str) -> list[str]:
        """The graded members that share a scope (a class, or "" for module level)."""
        return [q.rpartition(".")[2] for q in self.assignment.rubric
                if q.rpartition(".")[0] == scope and not isinstance(self.namespace.get(q), type)]

    def calls(self, target: str) -> set[str]:
        """The graded members of its own scope that the reference's `target` calls (`self.m(...)` in a
        method, `m(...)` in a module-level function), directly or through each other: `train` calls
        `compute_gradients`, which calls `forward`, which calls `sigmoid`."""
        if target not in self._calls:
            scope = target.rpartition(".")[0]
            found, todo = set(), [target]
            while todo:
                for member in self._read_calls(todo.pop()) - found:
                    found.add(member)
                    todo.append(f"{scope}.{member}" if scope else member)
            self._calls[target] = found - {target.rpartition(".")[2]}
        return self._calls[target]

    def _read_calls(self, target: str) -> set[str]:
        scope, _, member = target.rpartition(".")
        graded = set(self.members(scope)) - {member}
        for cell in self.assignment.answers:
            for node in _parsed(cell.source).body:
                body = node.body if scope and isinstance(node, ast.ClassDef) and node.name == scope else [node]
                for function in body:
                    if isinstance(function, ast.FunctionDef) and function.name == member:
                        return {name for call in ast.walk(function) if isinstance(call, ast.Call)
                                if (name := _called_name(call.func, scope)) in graded}
        return set()

    def instance(self, scope: str, init: tuple = (), state: dict | None = None, seed: int = 0) -> Any:
        np.random.seed(seed)  # as in the student's process: a random __init__ draws the same numbers
        obj = self.namespace[scope](*copy.deepcopy(init))
        for attr, value in copy.deepcopy(state or {}).items():
            setattr(obj, attr, value)
        return obj

    def call(self, target: str, *args: Any, init: tuple = (), state: dict | None = None,
             kwargs: dict | None = None, seed: int = 0) -> Outcome:
        """Call the reference's `target` ("Class.method" or "function") the way `Student.call` does."""
        scope, _, member = target.rpartition(".")
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs or {})
        if scope:
            obj = self.instance(scope, init, state, seed)
            value = getattr(obj, member)(*args, **kwargs)
            return Outcome(value, {k: copy.deepcopy(v) for k, v in vars(obj).items()})
        np.random.seed(seed)
        return Outcome(self.namespace[member](*args, **kwargs))

    def standin(self, scope: str, member: str) -> Callable[[dict, list, dict], Any]:
        """A function the grader runs when the student's code calls `member`: the reference's answer."""

        def answer(state: dict, args: list, kwargs: dict) -> Any:
            if not scope:
                return self.namespace[member](*args, **kwargs)
            obj = self.namespace[scope].__new__(self.namespace[scope])
            for attr, value in state.items():
                setattr(obj, attr, value)
            return getattr(obj, member)(*args, **kwargs)

        return answer


@functools.lru_cache(maxsize=64)
def _parsed(source: str) -> ast.Module:
    """A reference cell's syntax tree (read, never changed): parsed once per process, not once per notebook."""
    return ast.parse(source)


def _called_name(func: ast.expr, scope: str) -> str | None:
    if scope and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
        return func.attr
    if not scope and isinstance(func, ast.Name):
        return func.id
    return None
