"""One late rule everywhere: the same class, with a policy and an extension, charged the same points by
`nbgrader autograde` + `export` (through the course's LateSubmissionPlugin) and by grade-class."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys

import pytest
from conftest import ROOT, env_with_venv
from nbgrader.api import Gradebook

from autograder.nbgrader_steps.scratch_course import make_course, nbgrader, submit

SUBMISSIONS = ROOT / "tests" / "submissions" / "01_neuron"
CORRECT = SUBMISSIONS / "correct_matmul_and_list_comprehension.ipynb"
A = "01_neuron"
DEADLINE = dt.datetime(2027, 3, 14, 4, 59, tzinfo=dt.timezone.utc)  # 2027-03-13 23:59 in New York (EST)
CLASS = {  # student: (notebook, handed in this long after the deadline)
    "ana": (CORRECT, dt.timedelta(0)),  # exactly at the deadline: on time
    "ben": (CORRECT, dt.timedelta(seconds=1)),  # one day
    "cy": (CORRECT, dt.timedelta(hours=23)),  # 23:59 the next evening, after the clocks moved on: one day
    "dee": (CORRECT, dt.timedelta(days=2, hours=-1)),  # 23:59 two evenings on, with two extra days: on time
    "eve": (CORRECT, dt.timedelta(days=6)),  # past the cap: nothing
    "fay": (SUBMISSIONS / "bug_forward_missing_bias.ipynb", dt.timedelta(days=1, hours=1)),  # two days of a part score
}
POLICY = f"""
c.LatePolicy.deadlines = {{{A!r}: "2027-03-13 23:59"}}
c.LatePolicy.timezone = "America/New_York"
c.LatePolicy.penalty = "per_day"
c.LatePolicy.per_day = 0.10
c.LatePolicy.no_credit_after_days = 5
c.LatePolicy.extensions = "extensions.csv"
"""


@pytest.fixture(scope="module")
def late_class(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = make_course(tmp_path_factory.mktemp("late") / "course", [A])
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(POLICY)
    (folder / "extensions.csv").write_text(f"student_id,assignment,new_deadline,extra_days\ndee,{A},,2\n")
    for student, (notebook, late) in CLASS.items():
        target = submit(folder, student, A, notebook)
        (target / "timestamp.txt").write_text(f"{DEADLINE + late:%Y-%m-%d %H:%M:%S.%f} UTC\n")
    runs = [nbgrader(folder, "generate_assignment", A), nbgrader(folder, "autograde", A),
            nbgrader(folder, "export", "--to", "nbgrader.csv")]
    runs.append(subprocess.run([sys.executable, "-m", "autograder", "grade-class", "submitted", "--out", "out",
                                "--config", "nbgrader_config.py"], cwd=folder, capture_output=True, text=True,
                               timeout=600, env=env_with_venv()))
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    with open(folder / "nbgrader.csv", newline="") as f:
        exported = {row["student_id"]: row for row in csv.DictReader(f)}
    with open(folder / "out" / "grades.csv", newline="") as f:
        graded = {row["student"]: row for row in csv.DictReader(f)}
    return {"folder": folder, "nbgrader": exported, "grade_class": graded}


def test_nbgrader_and_grade_class_charge_every_student_the_same_points(late_class):
    exported, graded = late_class["nbgrader"], late_class["grade_class"]
    assert set(exported) == set(graded) == set(CLASS)
    for student in CLASS:
        ours, theirs = graded[student], exported[student]
        assert float(ours["raw_score"]) == float(theirs["raw_score"]), student
        assert float(ours["penalty"] or 0) == float(theirs["late_submission_penalty"]), student
        assert float(ours["score"]) == float(theirs["score"]), student


def test_the_penalties_follow_the_rule_at_each_edge(late_class):
    graded = late_class["grade_class"]
    full = float(graded["ana"]["max_score"])
    fay_raw = float(graded["fay"]["raw_score"])
    assert 0 < fay_raw < full
    expected = {"ana": full, "ben": 0.9 * full, "cy": 0.9 * full, "dee": full, "eve": 0.0,
                "fay": round(0.8 * fay_raw, 2)}
    assert {s: float(row["score"]) for s, row in graded.items()} == pytest.approx(expected)


def test_a_row_of_grades_csv_answers_why_this_score(late_class):
    ben = late_class["grade_class"]["ben"]
    assert (ben["submitted"], ben["late_by"]) == ("2027-03-14 04:59:01 UTC", "1 s")
    assert ben["note"] == f"late 1 s, 1 day: 10 % off (0.5 of {ben['raw_score']} points)"
    assert late_class["grade_class"]["dee"]["note"] == "on time (extension to 2027-03-16 03:59 UTC)"
    assert late_class["grade_class"]["eve"]["note"] == "late 6 d, 6 days: 100 % off (5 of 5 points)"


def test_the_gradebook_holds_the_policys_deadline_and_the_students_extension(late_class):
    with Gradebook(f"sqlite:///{late_class['folder'] / 'gradebook.db'}") as gradebook:
        assert gradebook.find_assignment(A).duedate == DEADLINE.replace(tzinfo=None)
        assert gradebook.find_submission(A, "dee").extension == dt.timedelta(days=2) - dt.timedelta(hours=1)
        assert gradebook.find_submission(A, "ana").extension is None


def test_the_class_report_lists_who_was_late_by_how_much_and_what_it_cost(late_class):
    summary = json.loads((late_class["folder"] / "out" / "summary.json").read_text())
    late = {row["student"]: row for row in summary["assignments"][A]["late"]}
    assert set(late) == {"ben", "cy", "eve", "fay"}
    assert (late["cy"]["late_by"], late["cy"]["days"]) == ("23 h", 1)
    assert summary["late_policy"] == "10 % of the score per day or part of a day late, no credit after 5 days"
    assert "Late" in (late_class["folder"] / "out" / "report.html").read_text()
