"""export-lms: grades.csv (or nbgrader's export) written as Canvas's Gradebook import and Moodle's CSV import.

The grades.csv here is the one `report` writes from results files made with the grader's own classes
(`Results`, `TestResult`), so it follows the real format; nbgrader's export is written by nbgrader's own
exporter from a stand-in gradebook. The roster names students in several scripts, with a comma and an
apostrophe, and maps each one to Canvas and Moodle ids.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT

from autograder.classwide import report
from autograder.classwide.lms import ExportError, read_grades, read_roster, to_canvas, to_moodle
from autograder.grading import results as graded

CANVAS_HEADER = "Student,ID,SIS User ID,SIS Login ID,Section,01_neuron,02_logistic_regression"
ROSTER = [
    ["student_id", "name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email", "idnumber"],
    ["ana-dev", "Zoë Ångström", "1001", "S-1", "zoe", "Section A", "zoe@uni.example", "S-1"],
    ["ben42", "Nguyễn Thị Minh", "1002", "S-2", "minh", "Section A", "minh@uni.example", "S-2"],
    ["cy", "Ólafur Jónsson, Jr.", "1003", "", "", "Section B", "olafur@uni.example", ""],
    ["fay", "李雷", "1005", "S-5", "lilei", "Section B", "lilei@uni.example", "S-5"],
    ["gil", "Gil O'Brien", "1006", "", "gil", "", "gil@uni.example", "S-6"],
    ["hana", "Hana Novák", "", "", "", "", "", ""],  # no id any LMS can match her by
]


def results(assignment: str, functions: dict[str, tuple[float, float]], **extra) -> dict:
    """A results document as `grade` writes it: one check per function, (score, points)."""
    tests = [graded.TestResult(f"{name}: matches the reference", got, points, "passed" if got == points else "failed",
                        function=name) for name, (got, points) in functions.items()]
    return graded.Results(assignment, tests, isolation="bubblewrap", **extra).to_dict()


def neuron(sigmoid: float, forward: float) -> dict:
    return results("01_neuron", {"Neuron.sigmoid": (sigmoid, 2), "Neuron.forward": (forward, 3)})


def logistic(sigmoid: float, cost: float) -> dict:
    return results("02_logistic_regression", {"LogisticRegressionNN.sigmoid": (sigmoid, 1),
                                              "LogisticRegressionNN.compute_cost": (cost, 3)})


@pytest.fixture(scope="module")
def grades_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """grade-class's output folder for a class of five, and the grades.csv `report` writes from it."""
    missing = neuron(0, 0)
    missing["extra_data"]["missing"] = True  # what grade-class marks for a student without the notebook
    docs = {
        ("ana-dev", "01_neuron"): neuron(2, 3), ("ana-dev", "02_logistic_regression"): logistic(1, 3),
        ("ben42", "01_neuron"): neuron(2, 1.5), ("ben42", "02_logistic_regression"): logistic(0, 2.25),
        ("cy", "01_neuron"): missing, ("cy", "02_logistic_regression"): '{"score": 3, "tests": [',
        ("dee", "01_neuron"): neuron(2, 3), ("dee", "02_logistic_regression"): logistic(1, 3),
        ("fay", "01_neuron"): neuron(1, 3),
        ("fay", "02_logistic_regression"): graded.Results("02_logistic_regression",
                                                          error="RuntimeError: no zygote").to_dict(),
    }
    folder = tmp_path_factory.mktemp("class-results")
    for (student, assignment), doc in docs.items():
        path = folder / student / f"{assignment}.results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    assert report.main(folder) == 0
    return folder / "grades.csv"


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(ROSTER)
    return path


def canvas_rows(grades_csv: Path, roster: Path, **options) -> list[list[str]]:
    return to_canvas(read_grades(grades_csv), read_roster(roster, ("canvas_id",)), **options).rows


def test_the_fixture_is_report_s_grades_csv_one_row_per_student_and_assignment(grades_csv: Path):
    rows = list(csv.DictReader(io.StringIO(grades_csv.read_text(encoding="utf-8"))))
    assert list(rows[0])[:4] == ["student", "assignment", "score", "max_score"] and list(rows[0])[-1] == "note"
    assert len(rows) == 10
    assert read_grades(grades_csv).kind == "grade-class"


def test_canvas_header_and_points_possible_row_are_canvas_s_import_layout(grades_csv: Path, roster: Path,
                                                                         tmp_path: Path):
    out = tmp_path / "canvas.csv"
    run = export_cli(grades_csv, roster, out, "--to", "canvas")
    assert run.returncode == 0, run.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as Canvas's export writes for Excel
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == CANVAS_HEADER
    assert lines[1] == "Points Possible,,,,,5,4"  # identity cells empty, each assignment's maximum below it


def test_canvas_rows_are_matched_through_the_roster_in_its_order(grades_csv: Path, roster: Path):
    rows = canvas_rows(grades_csv, roster)
    assert rows[2:] == [
        ["Zoë Ångström", "1001", "S-1", "zoe", "Section A", "5", "4"],
        ["Nguyễn Thị Minh", "1002", "S-2", "minh", "Section A", "3.5", "2.25"],
        ["Ólafur Jónsson, Jr.", "1003", "", "", "Section B", "0", ""],
        ["李雷", "1005", "S-5", "lilei", "Section B", "4", ""],
        ["Gil O'Brien", "1006", "", "gil", "", "", ""],
    ]


def test_a_canvas_assignment_id_goes_in_parentheses_after_the_name(grades_csv: Path, roster: Path):
    rows = canvas_rows(grades_csv, roster, canvas_ids={"02_logistic_regression": "4711"})
    assert rows[0][5:] == ["01_neuron", "02_logistic_regression (4711)"]
    with pytest.raises(ExportError, match="03_activation_functions"):
        canvas_rows(grades_csv, roster, canvas_ids={"03_activation_functions": "1"})


def test_unmatched_students_are_listed_on_both_sides(grades_csv: Path, roster: Path):
    export = to_canvas(read_grades(grades_csv), read_roster(roster, ("canvas_id",)))
    assert export.not_on_roster == ["dee"]  # graded, but the roster does not name her
    assert export.no_lms_id == ["hana"]  # on the roster, but Canvas could not match her row
    assert export.empty == {"cy": ["02_logistic_regression"], "fay": ["02_logistic_regression"],
                            "gil": ["01_neuron", "02_logistic_regression"]}
    assert not any("dee" in row or "Hana Novák" in row for row in export.rows)


def test_missing_scores_are_empty_never_zero_and_a_missing_notebook_stays_zero(grades_csv: Path, roster: Path):
    grades = read_grades(grades_csv)
    assert grades.scores["cy"] == {"01_neuron": 0.0, "02_logistic_regression": None}  # unreadable results file
    assert grades.scores["fay"]["02_logistic_regression"] is None  # the grader could not run: no check at all
    assert any("fay" in w and "the grader could not run" in w for w in grades.warnings)
    canvas = {row[1]: row[5:] for row in canvas_rows(grades_csv, roster)[2:]}
    assert canvas["1006"] == ["", ""] and canvas["1003"] == ["0", ""]
    moodle = {row[0]: row[1:] for row in to_moodle(grades, read_roster(roster, ("email",))).rows[1:]}
    assert moodle["gil@uni.example"] == ["-", "-"]  # Moodle's "no grade", also for a column mapped to a new item
    assert moodle["olafur@uni.example"] == ["0", "-"]


def test_moodle_file_has_the_user_column_then_one_column_per_grade_item(grades_csv: Path, roster: Path):
    grades = read_grades(grades_csv)
    by_email = to_moodle(grades, read_roster(roster, ("email",)))
    assert by_email.rows[0] == ["Email address", "01_neuron", "02_logistic_regression"]
    assert by_email.rows[1] == ["zoe@uni.example", "5", "4"]
    assert by_email.no_lms_id == ["hana"]
    by_number = to_moodle(grades, read_roster(roster, ("idnumber",)), key="idnumber",
                          assignments=["01_neuron"])
    assert by_number.rows == [["ID number", "01_neuron"], ["S-1", "5"], ["S-2", "3.5"], ["S-5", "4"], ["S-6", "-"]]
    assert by_number.no_lms_id == ["cy", "hana"]  # no ID number: a blank user cell would take the row above's user


NBGRADER_GRADEBOOK = {  # student -> (last, first, email, submission: (score, late penalty) or None)
    "s01": ("Ångström", "Zoë", "zoe@uni.example", (4.666666, 0.0)),
    "s02": ("Nguyễn", "Minh", "minh@uni.example", (5.0, 1.5)),  # late: 5 less a 1.5 penalty
    "s03": ("O'Brien, Jr.", "Gil", "gil@uni.example", (2.0, 3.0)),  # a penalty above the score: nbgrader's 0
    "s04": ("Novák", "Hana", "hana@uni.example", None),  # nothing submitted: nbgrader exports a 0
}


@pytest.fixture(scope="module")
def nbgrader_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `nbgrader export` writes, by nbgrader's own exporter, from a stand-in gradebook."""
    from nbgrader.api import MissingEntry
    from nbgrader.plugins.export import CsvExportPlugin

    students = [SimpleNamespace(id=i, last_name=last, first_name=first, email=email)
                for i, (last, first, email, _) in NBGRADER_GRADEBOOK.items()]

    def find_submission(assignment: str, student: str) -> SimpleNamespace:
        submitted = NBGRADER_GRADEBOOK[student][3]
        if submitted is None:
            raise MissingEntry()
        return SimpleNamespace(score=submitted[0], late_submission_penalty=submitted[1],
                               timestamp="2026-12-01 23:00:00.000000 UTC")

    gradebook = SimpleNamespace(students=students, find_submission=find_submission, assignments=[
        SimpleNamespace(name="01_neuron", duedate="2026-12-01 23:59:00", max_score=5.0)])
    path = tmp_path_factory.mktemp("nbgrader") / "grades.csv"
    CsvExportPlugin(to=str(path)).export(gradebook)
    return path


def test_nbgrader_export_is_read_with_the_score_after_the_late_penalty(nbgrader_csv: Path, tmp_path: Path):
    grades = read_grades(nbgrader_csv)
    assert grades.kind == "nbgrader" and grades.points == {"01_neuron": 5.0}
    assert {s: a["01_neuron"] for s, a in grades.scores.items()} == {"s01": 4.666666, "s02": 3.5, "s03": 0.0,
                                                                    "s04": 0.0}
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,email\ns01,zoe@uni.example\ns02,minh@uni.example\ns03,gil@uni.example\n"
                      "s04,hana@uni.example\n", encoding="utf-8")
    rows = to_moodle(grades, read_roster(roster, ("email",))).rows
    assert rows[1:] == [["zoe@uni.example", "4.67"], ["minh@uni.example", "3.5"], ["gil@uni.example", "0"],
                        ["hana@uni.example", "0"]]


def test_nbgrader_export_with_a_comma_in_a_name_still_reads(nbgrader_csv: Path):
    line = next(line for line in nbgrader_csv.read_text(encoding="utf-8").splitlines() if line.startswith(
        "01_neuron,") and ",s03," in line)
    assert "O'Brien, Jr." in line  # nbgrader writes its fields unquoted: this row has 12 fields
    assert read_grades(nbgrader_csv).scores["s03"] == {"01_neuron": 0.0}


def test_scores_have_at_most_two_decimals_as_plain_numbers(tmp_path: Path):
    grades = tmp_path / "grades.csv"
    grades.write_text("student,assignment,score,max_score,note\na,01_neuron,1234.5678,2000,\nb,01_neuron,0.004,2000,"
                      "\nc,01_neuron,1e-7,2000,\nd,01_neuron,12.10,2000,\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,idnumber\na,1\nb,2\nc,3\nd,4\n", encoding="utf-8")
    rows = to_moodle(read_grades(grades), read_roster(roster), key="idnumber").rows
    assert [row[1] for row in rows[1:]] == ["1234.57", "0", "0", "12.1"]


def test_unicode_names_survive_the_file_in_utf8(grades_csv: Path, roster: Path, tmp_path: Path):
    out = tmp_path / "canvas.csv"
    assert export_cli(grades_csv, roster, out, "--to", "canvas").returncode == 0
    with open(out, newline="", encoding="utf-8-sig") as f:
        names = [row[0] for row in csv.reader(f)][2:]
    assert names == ["Zoë Ångström", "Nguyễn Thị Minh", "Ólafur Jónsson, Jr.", "李雷", "Gil O'Brien"]
    moodle = tmp_path / "moodle.csv"
    assert export_cli(grades_csv, roster, moodle, "--to", "moodle").returncode == 0
    assert not moodle.read_bytes().startswith(b"\xef\xbb\xbf")  # plain UTF-8: Moodle's form asks the encoding


def test_a_roster_with_a_duplicate_id_is_refused_with_a_clear_message(tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,canvas_id\nana,1\nben,2\nana,3\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"student_id 'ana' is on line 2 and line 4"):
        read_roster(roster)
    roster.write_text("student_id,email\nana,Ana@uni.example\nben,ana@UNI.example\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"email 'ana@UNI.example' is on line 2 and line 3"):
        read_roster(roster)
    roster.write_text("student_id,name\nana,Ana\n", encoding="utf-8")
    with pytest.raises(ExportError, match="canvas_id or sis_user_id or sis_login_id"):
        read_roster(roster, ("canvas_id", "sis_user_id", "sis_login_id"))


def test_a_grades_file_of_another_kind_is_refused(tmp_path: Path):
    other = tmp_path / "grades.csv"
    other.write_text("name,points\nana,3\n", encoding="utf-8")
    with pytest.raises(ExportError, match="neither a grades.csv of grade-class"):
        read_grades(other)


def export_cli(grades: Path, roster: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "export-lms", str(grades), "--roster", str(roster),
                           "--out", str(out), *options], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_export_lms_end_to_end_lists_who_is_left_out_and_exits_by_strict(grades_csv: Path, roster: Path,
                                                                        tmp_path: Path):
    out = tmp_path / "moodle.csv"
    run = export_cli(grades_csv, roster, out, "--to", "moodle", "--moodle-key", "email")
    assert run.returncode == 0, run.stderr
    assert "5 student(s), 2 assignment(s), for Moodle" in run.stdout
    assert "not on the roster, so not in the file: dee" in run.stderr
    assert "without email, so not in the file: hana" in run.stderr
    assert "gil (01_neuron, 02_logistic_regression)" in run.stderr
    with open(out, newline="", encoding="utf-8") as f:
        assert list(csv.reader(f))[0] == ["Email address", "01_neuron", "02_logistic_regression"]
    canvas = tmp_path / "canvas.csv"
    strict = export_cli(grades_csv, roster, canvas, "--to", "canvas", "--strict", "--canvas-id", "01_neuron=12345")
    assert strict.returncode == 1 and "dee" in strict.stderr  # written all the same, and said
    assert canvas.read_text(encoding="utf-8-sig").startswith(CANVAS_HEADER.replace("01_neuron", "01_neuron (12345)"))
    bad = tmp_path / "roster.csv"
    bad.write_text("student_id,email\nana,a@x\nana,b@x\n", encoding="utf-8")
    refused = export_cli(grades_csv, bad, tmp_path / "never.csv", "--to", "moodle")
    assert refused.returncode == 2 and "student_id 'ana' is on line 2 and line 3" in refused.stderr
    assert not (tmp_path / "never.csv").exists()
