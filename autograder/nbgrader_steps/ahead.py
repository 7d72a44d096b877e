"""Grade the submissions of an `nbgrader autograde` run ahead of nbgrader, on every core.

nbgrader converts one notebook at a time and waits for each. Grading needs only the submitted file, so
while nbgrader reads, checks and stores one submission, worker processes (one per core) grade it and the next
ones, at most `workers + 1` ahead (a submission nbgrader then skips or fails wastes little). Each worker calls
`autograder.grading.grade` once per notebook, and their student processes run side by side. A run of one submission
(the formgrader grades one at a time) is graded in nbgrader's process.
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from ..grading.grade import grade
from ..sandbox.cpu import usable_cores


def grade_file(path: Path, assignment: str) -> dict:
    """The results.json document of one submitted notebook, graded as `assignment`."""
    return grade(path, assignment=assignment).to_dict()


class GradeAhead:
    def __init__(self, submissions: list, workers: int | None = None) -> None:
        self.queue = [(s.path, s.assignment) for s in submissions]  # in the order nbgrader takes them
        self.workers = min(workers or usable_cores(), len(self.queue))
        self.futures: dict[Path, Future] = {}
        self.pool: ProcessPoolExecutor | None = None
        if len(self.queue) > 1:
            # fork: a worker starts in milliseconds with the grader already imported (spawn would import
            # nbgrader's whole command again), and the pool forks them now, before any thread exists.
            # gc.freeze: pytest collects garbage at the end of each grading, which in nbgrader's large heap
            # costs more than the grading itself; frozen, the inherited objects are left out.
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=gc.freeze)

    def results(self, path: Path, assignment: str) -> dict:
        """The results of `path`: graded ahead by a worker, or now, here."""
        self.top_up(path)
        future = self.futures.pop(path, None)
        if future is not None:
            try:
                return future.result()
            except Exception:  # a worker died (killed, out of memory): grade here from now on
                self.close()
        return grade_file(path, assignment)

    def top_up(self, path: Path) -> None:
        """Keep the workers busy with `path` and the submissions after it."""
        if self.pool is None:
            return
        start = next((i for i, (p, _) in enumerate(self.queue) if p == path), None)
        if start is None:  # not foreseen (nbgrader grades it again after all): graded here
            return
        for later, assignment in self.queue[start:start + self.workers + 1]:
            if later not in self.futures:
                self.futures[later] = self.pool.submit(grade_file, later, assignment)
        self.queue = self.queue[start:]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool, self.futures = None, {}
