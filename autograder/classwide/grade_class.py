"""`python -m autograder grade-class SUBMITTED --out DIR`: grade a whole class, in parallel, then report.

SUBMITTED is nbgrader's layout, `SUBMITTED/<student>/<assignment>/<notebook>.ipynb` (what `nbgrader collect`
or a zip of downloads gives). Each notebook is graded as `grade` grades it, sandbox included, and its
results go to `DIR/<student>/<assignment>.results.json`. A student who lacks an assignment that others
submitted gets a row too, scored 0, that says so.

Speed: a pool of worker processes (one per core by default), each grading one notebook after another, so
pytest, numpy and the grader are imported once per worker rather than once per notebook; each worker's
zygote (zygote.py) forks every notebook's student process, fresh, in its sandbox. If a worker dies (never
seen; it would be the grader's fault), the notebooks left are graded one process each, so the batch always
finishes.

Re-running skips a notebook whose results file carries the same content hash: the notebook's bytes, plus a
fingerprint of the grader (the package's source, the hidden checks, the solutions and the sandbox used).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import multiprocessing
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..course import PACKAGE, SOLUTIONS, grading_files
from ..grading.grade import grade
from ..grading.notebook import Assignment, load_assignments
from ..grading.results import Results, write_json
from ..late.policy import submitted_at
from ..sandbox.cpu import usable_cores
from ..sandbox.inside import protocol
from ..sandbox.inside.linux import PR_SET_PDEATHSIG, prctl
from ..sandbox.launch import bwrap_works
from . import report, similar
from .tally import SUFFIX, Entry, note

APART_TIMEOUT = 600  # seconds for one notebook graded in a process of its own (after a worker died)


@dataclass(frozen=True)
class Task:
    student: str
    assignment: str  # the submission's folder name
    notebook: Path  # may not exist: a missing submission
    results: Path
    known: str | None  # the folder name, when the grader knows it: the notebook is graded as that assignment
    content_hash: str
    submitted: dict  # from the folder's timestamp.txt: {"submitted_at": ISO or None, "timestamp_error": str or None}


@dataclass
class Done:
    task: Task
    score: float
    max_score: float
    seconds: float
    note: str  # why the row is what it is, when one reason explains it
    failed: bool  # the grader itself could not run
    fingerprint: str | None = None  # of the normalised answer cells (similar.py)
    skipped: bool = False


# -- finding the submissions ------------------------------------------------------------------------------
def discover(submitted: Path, only: str | None = None, part: tuple[int, int] = (1, 1)) -> list[tuple[str, str, Path]]:
    """(student, assignment, notebook) for every student and every assignment anyone submitted; with
    `part` = (k, n), only the k-th of n slices of the roster (students k, k + n, k + 2n... in name order)."""
    students = sorted(p for p in Path(submitted).iterdir() if p.is_dir() and not p.name.startswith("."))
    names = {a.name for s in students for a in s.iterdir() if a.is_dir() and not a.name.startswith(".")}
    names = names & {only} if only else names
    k, n = part
    return [(s.name, a, pick_notebook(s / a, a)) for s in students[k - 1::n] for a in sorted(names)]


def pick_notebook(folder: Path, assignment: str) -> Path:
    """`<assignment>.ipynb` in the folder, else its only (or first) notebook; a path that does not exist
    when there is none."""
    named = folder / f"{assignment}.ipynb"
    found = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    return named if named in found or not found else found[0]


@functools.cache
def grader_fingerprint(sandbox: bool, solutions: Path = SOLUTIONS) -> str:
    """Changes whenever grading could give another result: the grader's code and checks, the solutions, and
    the sandbox it can use."""
    digest = hashlib.sha256()
    files = grading_files()
    files += sorted(Path(solutions).glob("*/*.ipynb"))
    for path in files:
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    digest.update(f"sandbox={sandbox}, bubblewrap={sandbox and bwrap_works()}".encode())
    return digest.hexdigest()


def content_hash(notebook: Path, known: str | None, sandbox: bool) -> str:
    digest = hashlib.sha256(f"{grader_fingerprint(sandbox)}\0{known}\0".encode())
    digest.update(notebook.read_bytes() if notebook.is_file() else b"\0missing")
    return digest.hexdigest()


def tasks_for(submitted: Path, out: Path, only: str | None, sandbox: bool, part: tuple[int, int] = (1, 1)
              ) -> list[Task]:
    known = set(assignments())
    return [Task(student, a, notebook, out / student / f"{a}{SUFFIX}", a if a in known else None,
                 content_hash(notebook, a if a in known else None, sandbox), submission_time(notebook.parent))
            for student, a, notebook in discover(submitted, only, part)]


def submission_time(folder: Path) -> dict:
    """What the results file says of when the notebook was handed in (the report charges lateness from it)."""
    try:
        when = submitted_at(folder)
    except ValueError as exc:
        return {"submitted_at": None, "timestamp_error": str(exc)}
    return {"submitted_at": None if when is None else when.isoformat(), "timestamp_error": None}


# -- grading one notebook ---------------------------------------------------------------------------------
def done_from(task: Task, doc: dict, fingerprint: str | None, skipped: bool = False) -> Done:
    entry = Entry(task.student, task.assignment, doc)
    return Done(task, entry.score, float(entry.extra.get("max_score", 0)), float(doc.get("execution_time", 0)),
                note(entry), bool(entry.extra.get("grader_error")), fingerprint, skipped)


@functools.cache
def assignments() -> dict[str, Assignment]:
    return load_assignments(SOLUTIONS)


def answer_fingerprint(task: Task) -> str | None:
    assignment = assignments().get(task.known) if task.known else None
    return similar.fingerprint(task.notebook, assignment) if assignment else None


def start_pool_process() -> None:
    """In each worker of the pool. Every core is busy grading, so waiting for a student process must sleep
    rather than poll (polling would pay for one notebook's quicker round trips with another's CPU: it more
    than halves the grader's CPU time per notebook here); what is imported so far is moved out of the garbage
    collector's sight, since pytest collects garbage at the end of every session."""
    protocol.SPIN_SECONDS = 0
    gc.freeze()
    if sys.platform == "linux":  # a killed grade-class takes its pool along (an orphan would wait for work forever)
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def grade_task(task: Task, sandbox: bool) -> Done:
    """Grade one notebook and write its results file (in a worker process of the pool)."""
    doc = grade(task.notebook, assignment=task.known, sandbox=sandbox).to_dict()
    mark(doc, task)
    write_json(task.results, doc)
    return done_from(task, doc, answer_fingerprint(task))


def mark(doc: dict, task: Task) -> None:
    """What grade-class adds to a results file: the content hash, when it was submitted, and whether the
    notebook was missing."""
    doc["extra_data"]["content_hash"] = task.content_hash
    doc["extra_data"].update(task.submitted)
    if not task.notebook.exists():
        doc["extra_data"]["missing"] = True


def grade_apart(task: Task, sandbox: bool) -> Done:
    """Grade one notebook with `python -m autograder grade` in a process of its own."""
    with tempfile.TemporaryDirectory(prefix="autograder-") as tmp:
        results = Path(tmp) / "results.json"
        command = [sys.executable, "-m", "autograder", "grade", str(task.notebook), "--results", str(results)]
        command += (["--assignment", task.known] if task.known else []) + ([] if sandbox else ["--no-sandbox"])
        try:
            subprocess.run(command, capture_output=True, timeout=APART_TIMEOUT, cwd=PACKAGE.parent)
            doc = json.loads(results.read_text(encoding="utf-8"))
            mark(doc, task)
        except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError) as exc:
            why = f"grading this notebook stopped the grader ({type(exc).__name__})"
            doc = Results(task.known, error=why).to_dict()  # no content hash: the next run tries again
    write_json(task.results, doc)
    return done_from(task, doc, answer_fingerprint(task))


def unchanged(task: Task) -> dict | None:
    """The results file of an earlier run, if it graded exactly this notebook with exactly this grader (and
    the grader did run: its failures, an interrupted run's included, are tried again)."""
    try:
        doc = json.loads(task.results.read_text(encoding="utf-8"))
        extra = doc["extra_data"]
        return doc if extra["content_hash"] == task.content_hash and not extra["grader_error"] else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- the whole class --------------------------------------------------------------------------------------
def grade_all(tasks: list[Task], sandbox: bool, jobs: int, show: Callable[[Done], None]) -> list[Done]:
    """Grade `tasks` in a pool of `jobs` worker processes; `show(done)` as each finishes."""
    finished, left = [], []
    if not tasks:
        return finished
    # fork: the workers start with the grader already imported and the sandbox already probed.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=start_pool_process) as pool:
        futures = {pool.submit(grade_task, task, sandbox): task for task in tasks}
        try:
            for future in as_completed(futures):
                try:
                    finished.append(future.result())
                    show(finished[-1])
                except BrokenProcessPool:
                    left.append(futures[future])
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)  # only those already handed to a process finish
            raise
    with ThreadPoolExecutor(max_workers=jobs) as threads:
        for done in threads.map(lambda task: grade_apart(task, sandbox), left):
            finished.append(done)
            show(done)
    return finished


class Progress:
    """A tqdm bar on a terminal; otherwise one plain line per submission, for logs."""

    def __init__(self, total: int) -> None:
        self.total, self.count, self.bar = total, 0, None
        if sys.stdout.isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: the pool's processes are forked after this
            self.bar = tqdm(total=total, unit="notebook", file=sys.stdout, dynamic_ncols=True)

    def __call__(self, done: Done) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix_str(f"{done.task.student} {done.task.assignment}", refresh=False)
            self.bar.update(1)
            return
        what = "unchanged, not regraded" if done.skipped else f"{done.seconds:.1f} s"
        line = f"[{self.count}/{self.total}] {done.task.student} {done.task.assignment}: " \
               f"{done.score:g}/{done.max_score:g} ({what})"
        print(line + (f": {done.note}" if done.note else ""), flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def similar_groups(finished: list[Done]) -> dict[str, list[list[str]]]:
    """Per assignment the grader knows, the groups of students whose answer cells match (similar.py)."""
    found = {}
    for name, assignment in assignments().items():
        prints = {d.task.student: d.fingerprint for d in finished if d.task.known == name}
        if prints:
            found[name] = similar.groups(prints, similar.release_fingerprint(assignment))
    return found


def main(submitted: Path, out: Path, *, jobs: int | None = None, assignment: str | None = None, force: bool = False,
         part: tuple[int, int] = (1, 1), sandbox: bool = True, config: Path | None = None) -> int:
    """Grade the class, write the results files and the report (its late penalties from `config`'s late
    policy, late.policy.course_config); 0 when the grader ran on every notebook."""
    submitted, out = Path(submitted), Path(out)
    if not submitted.is_dir():
        print(f"{submitted} is not a folder: expected {submitted}/<student>/<assignment>/<notebook>.ipynb.")
        return 2
    policy = report.course_policy(config)  # before grading: a typo in the policy costs no time
    if policy is None:
        return 2
    tasks = tasks_for(submitted, out, assignment, sandbox, part)
    if not tasks and assignment:
        print(f"No student in {submitted} has a folder {assignment}/: nothing to grade.")
        return 2
    if not tasks:
        print(f"Nothing to grade in {submitted}: expected {submitted}/<student>/<assignment>/<notebook>.ipynb.")
        return 2
    jobs = jobs or usable_cores()
    started = time.perf_counter()
    progress = Progress(len(tasks))
    finished, todo = [], []
    for task in tasks:
        doc = None if force else unchanged(task)
        if doc is None:
            todo.append(task)
        else:
            if any(doc["extra_data"].get(k) != v for k, v in task.submitted.items()):
                mark(doc, task)  # handed in again unchanged, at another time: only the time is new
                write_json(task.results, doc)
            finished.append(done_from(task, doc, answer_fingerprint(task), skipped=True))
            progress(finished[-1])
    try:
        finished += grade_all(todo, sandbox, jobs, progress)
    except KeyboardInterrupt:
        print(f"\nInterrupted: {progress.count} of {len(tasks)} results files are written; run the same command "
              "again to grade the rest.")
        return 130
    finally:
        progress.close()
    seconds = time.perf_counter() - started
    print(f"Graded {len(todo)} notebooks ({len(tasks) - len(todo)} unchanged, not regraded) in {seconds:.1f} s "
          f"with {jobs} processes" + (f": {seconds / len(todo):.2f} s per notebook." if todo else "."))
    failed = [d for d in finished if d.failed]
    for done in failed:
        print(f"The grader could not run on {done.task.notebook}: {done.note}")
    code = report.main(out, similar_groups(finished), policy)
    return 1 if failed or code else 0
