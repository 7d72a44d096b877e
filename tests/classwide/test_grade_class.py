"""`grade-class`: a class graded in parallel, exactly as `grade` grades each notebook; rows that say why;
unchanged notebooks skipped on a re-run; similar submissions found; a dead worker never stops the batch."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, env_with_venv, read_json
from support.class_files import assert_summary_matches_files
from support.golden import class_marks, comparable

from autograder.classwide import grade_class as batch
from autograder.classwide import similar
from autograder.course import grading_files
from autograder.grading.notebook import load_assignment
from autograder.grading.settings import SOLUTIONS

EXAMPLES = ROOT / "tests" / "submissions" / "01_neuron"
CLASS = {  # student -> example submission of 01_neuron (None: an empty folder, no notebook)
    "alice": "correct_matmul_and_list_comprehension",
    "bob": "bug_forward_missing_bias",
    "carol": "faulty_not_json",
    "dave": "faulty_forward_loops_forever",
    "erin": "faulty_crash_and_memory_hog",
    "frank": None,  # alice's code, renamed and commented: see copy_with_new_names
    "grace": None,
}
RENAMES = {"num_inputs": "n", "inputs": "values", "total": "z", "xi": "v"}


def copy_with_new_names(source: Path, target: Path) -> None:
    """The notebook with its answer cell's variables renamed, comments and blank lines added."""
    notebook = read_json(source)
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            code = "".join(cell["source"])
            for old, new in RENAMES.items():
                code = re.sub(rf"\b{old}\b", new, code)
            code = code.replace("    def forward", "\n    # the weighted sum, then the activation\n    def forward")
            cell["source"] = "# my own work!\n" + code
    target.write_text(json.dumps(notebook), encoding="utf-8")


def make_class(submitted: Path) -> None:
    for student, example in CLASS.items():
        folder = submitted / student / "01_neuron"
        folder.mkdir(parents=True)
        if example:
            shutil.copyfile(EXAMPLES / f"{example}.ipynb", folder / "01_neuron.ipynb")
    copy_with_new_names(EXAMPLES / f"{CLASS['alice']}.ipynb", submitted / "frank" / "01_neuron" / "01_neuron.ipynb")


def grade_class(submitted: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(submitted), "--out", str(out),
                           *extra], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env_with_venv())


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("class")
    make_class(root / "submitted")
    run = grade_class(root / "submitted", root / "out")
    return root / "submitted", root / "out", run


def test_every_student_gets_a_results_file_graded_exactly_as_grade_does(graded):
    _, out, run = graded
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.parent.name for p in out.glob("*/01_neuron.results.json")) == sorted(CLASS)
    for student in ("alice", "bob", "dave", "erin"):
        got = read_json(out / student / "01_neuron.results.json")
        marks = class_marks(got)
        assert marks["content_hash"] and marks["submitted_at"] is None  # these folders have no timestamp.txt
        assert comparable(got) == read_json(EXAMPLES / f"{CLASS[student]}.expected.json"), student


def test_each_row_of_grades_csv_says_why_when_one_reason_explains_it(graded):
    _, out, _ = graded
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}
    assert rows["grace"]["note"] == "no notebook submitted" and rows["grace"]["score"] == "0"
    assert rows["grace"]["max_score"] == f"{load_assignment(SOLUTIONS / '01_neuron' / '01_neuron.ipynb').max_score:g}"
    assert "is not a valid notebook" in rows["carol"]["note"]
    assert rows["alice"]["note"] == "" and rows["alice"]["score"] == rows["alice"]["max_score"]


def test_summary_counts_of_a_graded_class_match_its_results_files(graded):
    _, out, _ = graded
    assert_summary_matches_files(out)
    summary = read_json(out / "summary.json")["assignments"]["01_neuron"]
    assert summary["submissions"] == len(CLASS) - 1 and summary["missing"] == ["grace"]
    assert (out / "report.html").stat().st_size > 10_000


def test_without_a_terminal_there_is_one_plain_line_per_student(graded):
    _, _, run = graded
    lines = [line for line in run.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == len(CLASS)
    assert {re.match(r"\[\d+/7\] (\w+) 01_neuron: [\d.]+/5 ", line).group(1) for line in lines} == set(CLASS)
    assert "\r" not in run.stdout  # no progress bar drawn into a log


def test_a_renamed_and_commented_copy_is_listed_as_similar_and_nothing_else_is(graded):
    _, out, _ = graded
    assert read_json(out / "summary.json")["assignments"]["01_neuron"]["similar"] == [["alice", "frank"]]


def test_rerun_grades_only_what_changed_or_failed_unless_forced(graded, tmp_path):
    submitted, out, _ = graded
    work = tmp_path / "out"
    shutil.copytree(out, work)
    again = grade_class(submitted, work)
    assert "Graded 0 notebooks (7 unchanged" in again.stdout and "unchanged, not regraded" in again.stdout
    changed = tmp_path / "submitted"
    shutil.copytree(submitted, changed)
    bob = changed / "bob" / "01_neuron" / "01_neuron.ipynb"
    bob.write_text(bob.read_text() + "\n")
    alice = read_json(work / "alice" / "01_neuron.results.json")  # as if the grader had failed on it
    alice["extra_data"]["grader_error"] = "KeyboardInterrupt"
    (work / "alice" / "01_neuron.results.json").write_text(json.dumps(alice))
    assert "Graded 2 notebooks (5 unchanged" in grade_class(changed, work).stdout
    forced = grade_class(changed, work, "--force", "--assignment", "01_neuron")
    assert "Graded 7 notebooks (0 unchanged" in forced.stdout
    assert read_json(work / "summary.json")["assignments"]["01_neuron"]["similar"] == [["alice", "frank"]]


def test_grader_fingerprint_changes_with_the_solutions_and_the_sandbox(tmp_path):
    fingerprint = batch.grader_fingerprint.__wrapped__  # uncached: the files change within this test
    solutions = tmp_path / "solutions"
    shutil.copytree(SOLUTIONS, solutions)
    assert fingerprint(True, solutions) == fingerprint(True, SOLUTIONS)
    notebook = solutions / "01_neuron" / "01_neuron.ipynb"
    notebook.write_text(notebook.read_text() + "\n")
    assert fingerprint(True, solutions) != fingerprint(True, SOLUTIONS)
    assert fingerprint(False, SOLUTIONS) != fingerprint(True, SOLUTIONS)


def test_the_fingerprint_covers_what_grades_and_not_the_report_or_the_front_doors():
    files = {p.relative_to(ROOT / "autograder").as_posix() for p in grading_files()}
    assert {"grading/grade.py", "sandbox/inside/zygote.py", "hidden/test_01_neuron.py", "course.py"} <= files
    assert not [f for f in files if f.startswith(("classwide/", "publish/", "nbgrader_steps/", "__main__", "demo"))]


def test_a_worker_that_dies_does_not_stop_the_batch(tmp_path, monkeypatch):
    submitted = tmp_path / "submitted"
    for student, example in (("ann", "bug_forward_no_sigmoid"), ("ben", "correct_with_broken_scratch_cells")):
        (submitted / student / "01_neuron").mkdir(parents=True)
        shutil.copyfile(EXAMPLES / f"{example}.ipynb", submitted / student / "01_neuron" / "01_neuron.ipynb")
    real = batch.grade

    def dies_on_ann(notebook, **kwargs):  # forked workers inherit this; the process grading ann's dies
        if "ann" in Path(notebook).parts:
            os._exit(70)
        return real(notebook, **kwargs)

    monkeypatch.setattr(batch, "grade", dies_on_ann)
    apart, real_apart = [], batch.grade_apart
    monkeypatch.setattr(batch, "grade_apart", lambda task, box: apart.append(task.student) or real_apart(task, box))
    tasks = batch.tasks_for(submitted, tmp_path / "out", None, True)
    finished = batch.grade_all(tasks, True, 2, lambda done: None)
    assert sorted(d.task.student for d in finished) == ["ann", "ben"] and not any(d.failed for d in finished)
    assert "ann" in apart  # graded again in a process of its own
    got = read_json(tmp_path / "out" / "ann" / "01_neuron.results.json")
    assert class_marks(got)["content_hash"] == tasks[0].content_hash
    assert comparable(got) == read_json(EXAMPLES / "bug_forward_no_sigmoid.expected.json")


def test_slices_of_the_roster_cover_every_student_once_and_know_every_assignment(tmp_path):
    for i in range(7):
        (tmp_path / f"s{i}" / ("01_neuron" if i else "02_logistic_regression")).mkdir(parents=True)
    slices = [batch.discover(tmp_path, part=(k, 3)) for k in (1, 2, 3)]
    students = [sorted({student for student, _, _ in found}) for found in slices]
    assert sorted(sum(students, [])) == [f"s{i}" for i in range(7)]
    assert all(len(found) == 2 * len(names) for found, names in zip(slices, students, strict=True))


def test_an_empty_or_absent_folder_is_a_clear_message_not_a_crash(tmp_path):
    for folder in (tmp_path, tmp_path / "nowhere"):
        run = grade_class(folder, tmp_path / "out")
        assert run.returncode == 2 and "<student>/<assignment>/<notebook>.ipynb" in run.stdout
        assert "Traceback" not in run.stderr


# -- the normalisation behind "similar" -------------------------------------------------------------------
KEEP = {"Neuron", "forward"}


def test_names_comments_docstrings_and_layout_do_not_change_the_normalised_code():
    one = "class Neuron:\n    def forward(self, x):\n        t = x * 2  # double\n        return t + 1\n"
    two = 'class Neuron:\n\n    def forward(self, inputs):\n        """Doubles."""\n        total = inputs*2\n' \
          "\n        return total + 1\n"
    assert similar.normalise([one], KEEP) == similar.normalise([two], KEEP)


def test_a_different_operation_or_attribute_changes_the_normalised_code():
    base = "class Neuron:\n    def forward(self, x):\n        return np.exp(x) + self.bias\n"
    assert similar.normalise([base], KEEP) != similar.normalise([base.replace("+", "-")], KEEP)
    assert similar.normalise([base], KEEP) != similar.normalise([base.replace("exp", "log")], KEEP)
    assert similar.normalise([base], KEEP) != similar.normalise([base.replace("bias", "b")], KEEP)
    assert similar.normalise(["def broken(:\n"], KEEP) is None


def test_untouched_releases_are_not_listed_as_similar():
    prints = {"ann": "a", "ben": "a", "cy": "stub", "dee": "stub", "eve": None, "fay": None, "gus": "b"}
    assert similar.groups(prints, release="stub") == [["ann", "ben"]]
