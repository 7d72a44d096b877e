"""The reference solution, taken from the instructor's source notebook: the single source of truth.

Its answer cells are run in the grader's own process (they are trusted code) and serve two purposes:
expected values for the checks, and stand-ins for the graded members a checked function calls, so that a
bug in `forward` does not also cost `compute_cost` its points.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .notebook import Assignment


@dataclass
class Outcome:
    """What one call of a graded function gave: its value, and the instance's state afterwards."""

    value: Any
    state: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    warnings: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)  # how often each stand-in was called
    seconds: float = 0.0  # time spent inside the function itself


class Reference:
    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
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
