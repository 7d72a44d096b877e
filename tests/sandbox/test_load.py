"""The same grade on a busy machine: the golden correct and buggy submissions, graded while CPU hogs keep
every core busy, get exactly their expected results (scores, messages, mistakes), through `grade` and
through `grade-class --jobs 2`, and through `grade-class --jobs 1` and `--jobs 4` (twice as many graders as
cores); `nbgrader autograde` shows the same messages (tests/nbgrader_steps/test_nbgrader.py); the
submissions whose `train` or `compute_gradients` loops over the examples still
fail their speed checks.

The hogs (benchmarks/bench_load.py) are processes of our own, twice as many as there are cores, each of
which ends by itself after a while whatever happens to the test. The same benchmark measures how often
this grading gave another grade under the wall-clock speed measure this grader used before (docs/figures.md,
"Grades under load").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, env_with_venv, read_json
from support.golden import class_marks, comparable

from autograder.grading.grade import grade

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_load import hogs  # noqa: E402

BUSY = 2 * (os.cpu_count() or 1)  # hogs: two per core

SUBMISSIONS = sorted(p for p in (ROOT / "tests" / "submissions").glob("*/*.ipynb")
                     if p.stem.startswith(("correct_", "bug_")))


def busy_cpu_seconds(started: list[subprocess.Popen]) -> float:
    """The CPU time the hogs have used so far (proof that they took the cores)."""
    total = 0.0
    for hog in started:
        fields = Path(f"/proc/{hog.pid}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def expected(submission: Path) -> dict:
    return read_json(submission.with_suffix(".expected.json"))


def test_the_submissions_that_loop_over_the_examples_are_among_them_and_fail_their_speed_checks():
    for name, function in (("02_logistic_regression/bug_train_loops_over_examples", "train"),
                           ("02_logistic_regression/bug_gradients_loop_over_examples", "compute_gradients"),
                           ("03_activation_functions/bug_softmax_loop_over_rows", "softmax")):
        path = ROOT / "tests" / "submissions" / f"{name}.ipynb"
        assert path in SUBMISSIONS
        slow = [t for t in expected(path)["tests"] if f"{function}/too-slow" in t["tags"]]
        assert len(slow) == 1 and slow[0]["score"] == 0, name


def test_grade_gives_every_golden_submission_its_expected_results_with_every_core_busy(tmp_path: Path):
    with hogs(BUSY) as started:
        graded = {p: grade(p).to_dict() for p in SUBMISSIONS}
        assert busy_cpu_seconds(started) > 10  # the hogs had the cores while the class was graded
    for path, results in graded.items():
        assert comparable(results) == expected(path), f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("jobs, busy", [(1, 0), (2, BUSY), (4, 0)],
                         ids=["jobs 1, one at a time", "jobs 2, every core busy", "jobs 4, two per core"])
def test_grade_class_gives_the_same_results_on_a_busy_machine(tmp_path: Path, jobs: int, busy: int):
    submitted = tmp_path / "submitted"
    for path in SUBMISSIONS:
        folder = submitted / f"{path.parent.name[:2]}-{path.stem}" / path.parent.name
        folder.mkdir(parents=True)
        shutil.copyfile(path, folder / f"{path.parent.name}.ipynb")
    with hogs(busy) as started:
        run = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(submitted), "--out",
                              str(tmp_path / "out"), "--jobs", str(jobs)], cwd=ROOT, capture_output=True,
                             text=True, timeout=1200, env=env_with_venv())
        assert not busy or busy_cpu_seconds(started) > 10
    assert run.returncode == 0, run.stdout + run.stderr
    for path in SUBMISSIONS:
        got = read_json(tmp_path / "out" / f"{path.parent.name[:2]}-{path.stem}" / f"{path.parent.name}.results.json")
        assert class_marks(got)["content_hash"]
        assert comparable(got) == expected(path), f"{path.parent.name}/{path.stem}"
