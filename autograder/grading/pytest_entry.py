"""`pytest autograder/hidden --notebook NB`: the hidden checks run straight under pytest, as an instructor
debugging a check would, graded exactly as `grade()` grades (grade.py builds the same `Grading`).

Loaded by the hidden checks' conftest.py beside plugin.py; when `grade()` runs pytest it hands over its
`Grading` itself, and this does nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .grade import GraderError, open_grading
from .notebook import NotebookError
from .plugin import GRADING
from .settings import Settings, add_options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "grading a student notebook")
    group.addoption("--notebook", help="the student notebook to grade")
    add_options(group.addoption)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("notebook") and GRADING not in config.stash:  # run as `pytest ... --notebook NB`
        try:
            grading = open_grading(Path(config.getoption("notebook")), Settings.from_options(config.option))
        except NotebookError as exc:
            raise pytest.UsageError(f"nothing to grade: {exc}") from None
        except GraderError as exc:
            raise pytest.UsageError(f"the grader could not start: {exc}") from None
        config.pluginmanager.register(grading, "autograder-grading")
        config.add_cleanup(grading.close)
