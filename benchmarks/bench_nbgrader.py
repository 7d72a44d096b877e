"""Benchmark: `nbgrader autograde` of a class of 40, through the autograder and with nbgrader's own Execute.

Forty submissions of 02_logistic_regression, cycled from tests/submissions/ (the correct_* and bug_* ones)
and the untouched release (stubs), are put in two scratch courses: one configured as the repository is
(GradeWithAutograder), one with nbgrader's stock steps (Execute runs each notebook in a kernel). Each
course's `nbgrader autograde 02_logistic_regression --force` is timed as a whole process, the two
interleaved, after one untimed run each. Every student must end with a score in the gradebook.

    .venv/bin/python benchmarks/bench_nbgrader.py [--runs N] [--students N]

It prints its table and writes it into the bench_nbgrader block of docs/figures.md (benchmarks/figures.py).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

from bench_grade import machine  # same folder
from figures import add_arguments, record

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from autograder.nbgrader_steps.scratch_course import make_course, nbgrader, submit  # noqa: E402

ASSIGNMENT = "02_logistic_regression"
TARGET_RATIO = 0.5  # seconds per submission, autograder / stock


def class_of(n: int) -> list[Path]:
    """`n` submissions: the correct and buggy examples and the untouched release, in turn."""
    examples = sorted((REPO / "tests" / "submissions" / ASSIGNMENT).glob("[cb]*.ipynb"))
    examples.append(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return [path for path, _ in zip(cycle(examples), range(n), strict=False)]


def course(folder: Path, notebooks: list[Path], stock: bool) -> Path:
    make_course(folder, [ASSIGNMENT], stock=stock)
    setup = nbgrader(folder, "generate_assignment", ASSIGNMENT)
    if setup.returncode != 0:
        sys.exit(f"generate_assignment failed in {folder}:\n{setup.stderr[-2000:]}")
    for i, notebook in enumerate(notebooks, 1):
        submit(folder, f"s{i:03d}", ASSIGNMENT, notebook)
    return folder


def autograde(folder: Path, students: int) -> float:
    """Seconds for one whole `nbgrader autograde`; fails unless every student got a score."""
    started = time.perf_counter()
    done = nbgrader(folder, "autograde", ASSIGNMENT, "--force", timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"nbgrader autograde failed in {folder}:\n{done.stderr[-3000:]}")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        scored = [s for s in gb.assignment_submissions(ASSIGNMENT) if s.score is not None]
    if len(scored) != students:
        sys.exit(f"{folder}: {len(scored)} of {students} students have a score")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per configuration (default 3)")
    parser.add_argument("--students", type=int, default=40, help="class size (default 40)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    notebooks = class_of(args.students)
    times: dict[str, list[float]] = {"autograder": [], "stock": []}
    with tempfile.TemporaryDirectory(prefix="bench-nbgrader-") as tmp:
        courses = {kind: course(Path(tmp) / kind, notebooks, stock=kind == "stock") for kind in times}
        for kind, folder in courses.items():
            print(f"warm-up: {kind} ...", file=sys.stderr, flush=True)
            autograde(folder, args.students)
        for run in range(args.runs):
            for kind, folder in courses.items():
                print(f"run {run + 1}/{args.runs}: {kind} ...", file=sys.stderr, flush=True)
                times[kind].append(autograde(folder, args.students))
    info = machine()
    per = {kind: statistics.median(t) / args.students for kind, t in times.items()}
    lines = [f"# nbgrader autograde of {args.students} submissions ({ASSIGNMENT}) — "
             f"{datetime.date.today().isoformat()}", "",
             f"Machine: {info['nproc']} CPUs, {info['cpu']}; Python {info['python']}; median of {args.runs} runs.",
             "", "| steps | whole run, s (min–max) | s per submission |", "|---|---|---|"]
    for kind, label in (("autograder", "GradeWithAutograder (this repository)"), ("stock", "nbgrader's Execute")):
        t = times[kind]
        lines.append(f"| {label} | {statistics.median(t):.1f} ({min(t):.1f}–{max(t):.1f}) | {per[kind]:.3f} |")
    ratio = per["autograder"] / per["stock"]
    lines += ["", f"Ratio {ratio:.2f} (target ≤ {TARGET_RATIO}): {'met' if ratio <= TARGET_RATIO else 'NOT met'}."]
    text = "\n".join(lines)
    print(text)
    record(args, "bench_nbgrader", text, argv)
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
