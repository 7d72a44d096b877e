"""One run of `nbgrader autograde`: its submissions in nbgrader's order, what each needs a look for, the
closing list.

nbgrader converts one notebook after another and gives a preprocessor no view of the run. The steps of this
project reach it through their parent, nbgrader's `Autograde` converter, which found every submission before
converting the first (`converter.assignments`); `batch_of(step)` keeps one `Batch` per converter. A
submission folder without a notebook never reaches a preprocessor: the batch gives it a row of zeros in the
gradebook when it starts.

The closing list goes where the instructor is looking. In a terminal it is printed when the `nbgrader`
command ends (nbgrader has no later hook), after nbgrader's own last lines. Clicked in the formgrader, the run
is an API call inside the Jupyter server, which lives on: the list goes into the run's log (what the autograde
dialog shows) once its last submission is graded, and the batch is dropped then; the batch holds its converter
only weakly, so a run that fails before that leaves nothing behind either.
"""

from __future__ import annotations

import atexit
import glob
import logging
import os
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import BaseConverter
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Configurable

from .ahead import GradeAhead

Key = tuple[str, str]  # (student, assignment)
_BATCHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass
class Submission:
    student: str
    assignment: str
    notebook: str  # its name without .ipynb
    path: Path  # the file in submitted/
    number: int  # its submission folder's place in the run, from 1


@dataclass
class Batch:
    converter_ref: weakref.ref  # to nbgrader's converter, which owns the batch (in _BATCHES)
    submissions: dict[tuple[str, str, str], Submission] = field(default_factory=dict)
    looks: dict[Key, list[str]] = field(default_factory=dict)  # why a submission needs a look
    isolation: dict[Key, str] = field(default_factory=dict)  # how student code ran, where it did
    unreadable: dict[tuple[str, str, str], str] = field(default_factory=dict)  # nbformat's reason
    expected: dict[tuple[str, str], list] = field(default_factory=dict)  # (assignment, notebook) -> source cells

    def __post_init__(self) -> None:
        self.in_terminal = launched_from_command_line()
        pattern = self.converter._format_source(self.coursedir.assignment_id, self.coursedir.student_id)
        folders = sorted(f for f in glob.glob(pattern) if os.path.isdir(f))
        self.total = len(folders)
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            for number, folder in enumerate(folders, 1):
                student, assignment = self.parse(folder)
                try:
                    expected = {nb.name for nb in gb.find_assignment(assignment).notebooks}
                except MissingEntry:
                    continue
                found = {Path(p).stem: Path(p) for p in self.converter.assignments.get(folder, [])}
                for name in sorted(expected & found.keys()):
                    self.submissions[(student, assignment, name)] = Submission(student, assignment, name, found[name],
                                                                               number)
                if not expected & found.keys():
                    self.zero(gb, folder, student, assignment, expected)
        graded = [s for s in self.submissions.values() if self.will_grade(s)]
        self.last = max(graded, key=lambda s: (s.number, s.notebook), default=None)  # nbgrader's order
        self.ahead = GradeAhead(graded)

    @property
    def converter(self) -> BaseConverter:
        return self.converter_ref()

    @property
    def coursedir(self) -> CourseDirectory:
        return self.converter.coursedir

    def parse(self, folder: str) -> Key:
        """(student, assignment) of a submission folder, as nbgrader parses it."""
        pattern = self.converter._format_source("(?P<assignment_id>.*)", "(?P<student_id>.*)", escape=True)
        found = re.match(pattern, folder)
        return found["student_id"], found["assignment_id"]

    def will_grade(self, submission: Submission) -> bool:
        """Whether nbgrader will grade it (else it skips it as graded already): only those are graded ahead."""
        done = Path(self.converter._format_dest(submission.assignment, submission.student)) / submission.path.name
        return self.converter.force or not done.exists()

    def look(self, key: Key, why: str, log: logging.Logger | None = None) -> None:
        self.looks.setdefault(key, []).append(why)
        if log is not None:
            log.warning("%s %s needs a look: %s", key[0], key[1], why)

    def zero(self, gb: Gradebook, folder: str, student: str, assignment: str, expected: set[str]) -> None:
        """A submission folder holding none of the assignment's notebooks: nbgrader skips it (or fails on it);
        here it gets a gradebook row of zeros and a line in the closing list."""
        gb.update_or_create_student(student)
        for notebook in gb.update_or_create_submission(assignment, student).notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0, False
        gb.db.commit()
        wanted = ", ".join(f"{name}.ipynb" for name in sorted(expected))
        self.look((student, assignment), f"no {wanted} in {os.path.relpath(folder, self.coursedir.root)}/ "
                  f"(it holds: {', '.join(sorted(os.listdir(folder))) or 'nothing'}); graded 0")

    def progress(self, line: str) -> None:
        """A submission's line: on stdout in a terminal, in the run's log in the formgrader."""
        if self.in_terminal:
            print(line, flush=True)
        else:
            self.converter.log.info(line)

    def graded(self, submission: Submission | None) -> None:
        """After each notebook: in the formgrader, the run's last one ends it (the list logged, nothing kept)."""
        if self.in_terminal or submission is None or submission is not self.last:
            return
        (self.converter.log.warning if self.looks else self.converter.log.info)(self.closing_list())
        self.ahead.close()
        _BATCHES.pop(self.converter, None)

    def closing_list(self) -> str:
        """Who needs a look and why, and how the student code ran."""
        submissions = f"{self.total} submission{'s' if self.total != 1 else ''}"
        lines = [f"Needs a look: {len(self.looks)} of {submissions}" if self.looks else
                 f"Nothing needs a look ({submissions})."]
        for (student, assignment), whys in sorted(self.looks.items()):
            lines.append(f"  {student} {assignment}: " + "; ".join(whys))
        ran = len(self.isolation)
        unsandboxed = sorted(f"{s} {a}" for (s, a), how in self.isolation.items() if how == "none")
        if unsandboxed and len(unsandboxed) == ran:
            lines.append(f"All {ran} were graded without a sandbox (bubblewrap is not available): student code ran "
                         "as separate processes with limits, able to read what this user can read.")
        elif unsandboxed:
            lines.append("Graded without a sandbox: " + ", ".join(unsandboxed))
        return "\n".join(lines)


def batch_of(step: Configurable) -> Batch:
    """The batch of the nbgrader converter that `step` (an exporter or a preprocessor) works for."""
    converter = step
    while converter is not None and not isinstance(converter, BaseConverter):
        converter = converter.parent
    if converter is None:
        raise RuntimeError(f"{type(step).__name__} works only inside `nbgrader autograde`")
    if converter not in _BATCHES:
        _BATCHES[converter] = batch = Batch(weakref.ref(converter))
        if batch.in_terminal:
            atexit.register(lambda: print("\n" + batch.closing_list(), flush=True))
    return _BATCHES[converter]


def launched_from_command_line() -> bool:
    """`nbgrader autograde` in a terminal, not the formgrader's API (which reads the log instead).

    Only the command line makes an AutogradeApp the singleton. Inside a Jupyter server,
    `AutogradeApp.initialized()` is true as well: it finds the server, which traitlets stored as the
    `_instance` of every base class they share."""
    from nbgrader.apps import AutogradeApp

    return isinstance(getattr(AutogradeApp, "_instance", None), AutogradeApp)
