"""Grade the submissions of an `nbgrader autograde` run ahead of nbgrader, on every core.

nbgrader converts one notebook at a time and waits for each. Grading needs only the submitted file, so
while nbgrader reads, checks and stores one submission, worker processes already grade the next ones:
one worker per core, each on one of the next submissions (a skipped or failed submission wastes little). The
first is graded in nbgrader's process while the workers take the next ones.
Each worker imports the grader once, then calls `autograder.grade` once per notebook, whose student
processes run side by side. A run of one submission, or a machine with one core, grades in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from .grade import grade


def grade_file(path: Path, assignment: str) -> dict:
    """The results.json document of one submitted notebook, graded as `assignment`."""
    return grade(path, assignment=assignment).to_dict()


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class GradeAhead:
    def __init__(self, submissions: list, workers: int | None = None) -> None:
        self.queue = [(s.path, s.assignment) for s in submissions]  # in the order nbgrader takes them
        self.workers = min(workers or usable_cores(), len(self.queue) - 1)
        self.futures: dict[Path, Future] = {}
        self.pool: ProcessPoolExecutor | None = None
        if self.workers > 0 and usable_cores() > 1:
            # fork: a worker starts in milliseconds with the grader already imported (spawn would import
            # nbgrader's whole command again). The pool forks its workers now, before any thread exists.
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))

    def results(self, path: Path, assignment: str) -> dict:
        """The results of `path`: graded ahead by a worker, or now, here."""
        future = self.futures.pop(path, None)
        self.top_up(path)
        if future is not None:
            try:
                return future.result()
            except Exception:  # a worker died (killed, out of memory): grade here from now on
                self.close()
        return grade_file(path, assignment)

    def top_up(self, path: Path) -> None:
        """Keep the workers busy with the submissions after `path`."""
        if self.pool is None:
            return
        start = next((i for i, (p, _) in enumerate(self.queue) if p == path), -1) + 1
        for later, assignment in self.queue[start:start + self.workers]:
            if later not in self.futures:
                self.futures[later] = self.pool.submit(grade_file, later, assignment)
        self.queue = self.queue[start:]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool, self.futures = None, {}
