"""How a grading run is set up: the options, declared once for the command line and for pytest."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..course import SOLUTIONS
from ..sandbox.inside.protocol import Limits

MIB = 2**20

# (flags, argparse keyword arguments): `python -m autograder grade` and `pytest autograder/hidden` both add these.
OPTIONS: list[tuple[tuple[str, ...], dict]] = [
    (("--assignment",), {"help": "grade as this assignment (default: recognised from the notebook)"}),
    (("--solutions",), {"type": Path, "default": SOLUTIONS, "help": "folder of the source notebooks"}),
    (("--no-sandbox",), {"action": "store_true", "help": "run student code without bubblewrap or Landlock"}),
    (("--time-limit",), {"type": float, "default": Limits.check_seconds, "help": "seconds per check"}),
    (("--cell-time-limit",), {"type": float, "default": Limits.cell_seconds,
                              "help": "seconds for each answer cell to run when the notebook is loaded"}),
    (("--memory-limit",), {"type": int, "default": Limits.memory_bytes // MIB,
                           "help": "MiB of address space for the student process"}),
    (("--debug-grader",), {"action": "store_true", "help": "print the grader's own tracebacks (never for students)"}),
]


def add_options(add: Callable[..., object]) -> None:
    """Declare OPTIONS with `add`: argparse's `add_argument` or pytest's `addoption`."""
    for flags, kwargs in OPTIONS:
        add(*flags, **kwargs)


@dataclass(frozen=True)
class Settings:
    solutions: Path = SOLUTIONS
    assignment: str | None = None  # None: recognised from the notebook's cells
    sandbox: bool = True
    limits: Limits = field(default_factory=Limits)
    debug: bool = False

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Settings:
        limits = Limits(check_seconds=options.time_limit, cell_seconds=options.cell_time_limit,
                        memory_bytes=options.memory_limit * MIB)
        return cls(Path(options.solutions), options.assignment, not options.no_sandbox, limits, options.debug_grader)
