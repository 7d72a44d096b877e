"""Stock nbgrader commands grade through the autograder: a small class, hostile and tampered submissions
included, autograded, fed back and exported by one nbgrader process per command in a scratch course.

01_neuron's test cells get a `### BEGIN HIDDEN TESTS` block each (nbgrader's way of hiding asserts, which the
gradebook keeps and the release drops); 02_logistic_regression's have none (autograder/hidden/ is the one
place hidden checks live): both must grade alike.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, read_json, release, source
from nbgrader.api import Gradebook
from support.leaks import hidden_lines, leaked, seen_by_student

from autograder.__main__ import main as autograder_cli  # `python -m autograder`, without a new interpreter
from autograder.grading.notebook import load_assignment
from autograder.grading.results import function_of
from autograder.nbgrader_steps.score_cells import report
from autograder.nbgrader_steps.scratch_course import HIDDEN_ASSERT, make_course, nbgrader, submit

SUBMISSIONS = ROOT / "tests" / "submissions"
CLASS = {  # student: (assignment, notebook or None for an empty folder)
    "s01": ("01_neuron", SUBMISSIONS / "01_neuron/correct_matmul_and_list_comprehension.ipynb"),
    "s02": ("01_neuron", SUBMISSIONS / "01_neuron/bug_forward_missing_bias.ipynb"),
    "s03": ("01_neuron", SUBMISSIONS / "01_neuron/faulty_not_json.ipynb"),
    "s04": ("01_neuron", "tampered"),
    "s05": ("01_neuron", SUBMISSIONS / "01_neuron/faulty_forward_loops_forever.ipynb"),
    "s06": ("01_neuron", None),
    "s07": ("01_neuron", SUBMISSIONS / "01_neuron/faulty_crash_and_memory_hog.ipynb"),
    "s08": ("01_neuron", SUBMISSIONS / "01_neuron/faulty_floods_output.ipynb"),
    "s09": ("01_neuron", SUBMISSIONS / "01_neuron/faulty_sys_exit_and_os_exit.ipynb"),
    "s11": ("02_logistic_regression", SUBMISSIONS / "02_logistic_regression/correct_matmul_clip_history.ipynb"),
    "s12": ("02_logistic_regression", SUBMISSIONS / "02_logistic_regression/bug_cost_missing_1_over_m.ipynb"),
    "s13": ("02_logistic_regression", release("02_logistic_regression")),
}


def tampered(tmp: Path) -> Path:
    """A correct submission whose student edited Neuron-forward's checks and points, deleted Neuron-sigmoid's
    test cell and marked the answer cell as graded."""
    nb = read_json(CLASS["s01"][1])
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    cells["Neuron-forward"]["source"] = "pass  # all good\n"
    cells["Neuron-forward"]["metadata"]["nbgrader"]["points"] = 30
    cells["neuron_answer"]["metadata"]["nbgrader"].update(grade=True, points=100)
    nb["cells"].remove(cells["Neuron-sigmoid"])
    path = tmp / "tampered.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("course")
    folder = make_course(tmp / "course", ["01_neuron"], hidden_tests="added")
    make_course(folder, ["02_logistic_regression"], hidden_tests="removed")
    runs = {"generate": nbgrader(folder, "generate_assignment", "*")}
    for student, (a, notebook) in CLASS.items():
        submit(folder, student, a, tampered(tmp) if notebook == "tampered" else notebook)
    for a in ("01_neuron", "02_logistic_regression"):
        runs["autograde " + a] = nbgrader(folder, "autograde", a)
    runs["feedback"] = nbgrader(folder, "generate_feedback", "*")
    runs["export"] = nbgrader(folder, "export")
    return {"folder": folder, "runs": runs}


def autograded(course: dict, student: str) -> dict:
    a = CLASS[student][0]
    return read_json(course["folder"] / "autograded" / student / a / f"{a}.ipynb")


def test_every_command_succeeds_and_every_notebook_is_autograded_whatever_it_holds(course):
    for name, run in course["runs"].items():
        assert run.returncode == 0, (name, run.stderr[-3000:])
    for student, (a, notebook) in CLASS.items():
        if notebook is not None:
            assert (course["folder"] / "autograded" / student / a / f"{a}.ipynb").exists(), student


def test_each_test_cell_scores_and_says_what_python_m_autograder_grade_gives_its_function(course, tmp_path):
    compared = 0
    with Gradebook(f"sqlite:///{course['folder'] / 'gradebook.db'}") as gb:
        for student, (a, notebook) in CLASS.items():
            if notebook is None:
                continue
            path = course["folder"] / "submitted" / student / a / f"{a}.ipynb"
            assert autograder_cli(["grade", str(path), "--results", str(tmp_path / "r.json"), "--assignment", a]) == 0
            tests: dict[str, list[dict]] = {}
            for test in read_json(tmp_path / "r.json")["tests"]:
                tests.setdefault(function_of(test), []).append(test)
            cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in autograded(course, student)["cells"]
                     if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"}
            for function, its_tests in tests.items():
                points = round(sum(t["max_score"] for t in its_tests), 2)
                score, text = report(function, its_tests, points)
                grade = gb.find_grade(function.replace(".", "-"), a, a, student)
                assert grade.auto_score == pytest.approx(score, abs=1e-9), (student, function)
                shown = "".join(cells[function.replace(".", "-")]["outputs"][0]["text"])
                assert shown == text, (student, function)  # message for message
                compared += 1
    assert compared >= 30


def test_test_cells_show_the_functions_checks_and_nothing_nbgrader_would_score_zero(course):
    nb = autograded(course, "s02")
    outputs = {c["metadata"].get("nbgrader", {}).get("grade_id"): c.get("outputs", []) for c in nb["cells"]}
    forward = outputs["Neuron-forward"]
    assert [o["output_type"] for o in forward] == ["stream", "execute_result"] and forward[0]["name"] == "stdout"
    text = "".join(forward[0]["text"])
    assert text.startswith("Neuron.forward: 0.5 of 3 points") and "FAILED" in text and "the bias is missing" in text
    assert "".join(forward[1]["data"]["text/plain"]) == "0.5"
    for student in ("s01", "s02", "s05", "s07", "s08", "s09", "s13"):
        for cell in autograded(course, student)["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade"):
                assert not [o for o in cell["outputs"] if o["output_type"] == "error" or o.get("name") == "stderr"]
            elif cell["cell_type"] == "code":
                assert cell["outputs"] == [], (student, meta.get("grade_id"))


def test_tampered_test_cells_are_graded_by_the_original_rubric_and_named_in_the_summary(course):
    with Gradebook(f"sqlite:///{course['folder'] / 'gradebook.db'}") as gb:
        submission = gb.find_submission("01_neuron", "s04")
        assert (submission.score, submission.max_score) == (5, 5)
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in autograded(course, "s04")["cells"]}
    assert "pass  # all good" not in "".join(cells["Neuron-forward"]["source"])
    assert "Neuron-sigmoid" in cells  # put back
    summary = course["runs"]["autograde 01_neuron"].stdout.split("Needs a look")[1]
    line = next(x for x in summary.splitlines() if x.strip().startswith("s04"))
    assert "tampering" in line and "Neuron-forward: checks edited" in line and "points set to 30" in line
    assert "Neuron-sigmoid deleted" in line and "neuron_answer" in line


def test_no_spurious_checksum_warning_with_or_without_hidden_test_blocks(course):
    for a in ("01_neuron", "02_logistic_regression"):
        assert "checksum" not in course["runs"]["autograde " + a].stderr


def test_progress_lines_then_the_students_who_need_a_look_and_why(course):
    out = course["runs"]["autograde 01_neuron"].stdout
    assert re.search(r"^\[1/9\] s01 01_neuron 5/5$", out, re.M)
    assert re.search(r"^\[2/9\] s02 01_neuron 2\.5/5$", out, re.M)
    listed = out.split("Needs a look: ")[1].splitlines()[1:]
    summary = {line.split()[0]: line for line in listed if line.startswith("  ")}
    assert set(summary) == {"s03", "s04", "s05", "s06", "s07", "s08", "s09"}
    assert "cannot read the notebook" in summary["s03"]
    assert "Neuron.forward timed out" in summary["s05"] and "Neuron.forward timed out" in summary["s08"]
    assert "no 01_neuron.ipynb" in summary["s06"] and "graded 0" in summary["s06"]
    assert "Neuron.forward ended the student process" in summary["s07"]
    assert "ended the student process" in summary["s09"]
    assert "Nothing needs a look (3 submissions)" in course["runs"]["autograde 02_logistic_regression"].stdout


def test_every_student_has_a_gradebook_row_and_an_export_line(course):
    with open(course["folder"] / "grades.csv", newline="") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    for student, (a, _) in CLASS.items():
        assert (student, a) in rows, student
    assert float(rows[("s03", "01_neuron")]["score"]) == float(rows[("s06", "01_neuron")]["score"]) == 0
    full = sum(load_assignment(source("02_logistic_regression")).rubric.values())
    assert float(rows[("s11", "02_logistic_regression")]["score"]) == full


def test_feedback_shows_points_and_failed_checks_but_never_hidden_check_source(course):
    folder = course["folder"]
    hidden = hidden_lines() | {"HIDDEN TESTS", HIDDEN_ASSERT}  # and 01_neuron's hidden blocks
    pages = sorted((folder / "feedback").glob("*/*/*.html"))
    assert len(pages) == sum(1 for _, n in CLASS.values() if n is not None)
    for page in pages:
        student, a = page.parts[-3], page.parts[-2]
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        public = seen_by_student(folder / "exercises" / a / f"{a}.ipynb")
        public |= seen_by_student(folder / "submitted" / student / a / f"{a}.ipynb")
        found = leaked(text, public, hidden)
        assert not found, (page, found[:3])
    s12 = html.unescape((folder / "feedback/s12/02_logistic_regression/02_logistic_regression.html")
                        .read_text(encoding="utf-8"))
    assert "LogisticRegressionNN.compute_cost: 1.5 of 3 points" in s12 and "Score: 1.5 / 3.0" in s12
    assert "FAILED  matches the reference on random data" in s12 and "times too large" in s12


def test_hand_back_gives_every_collected_student_their_feedback_page_and_names_who_has_none(course, tmp_path,
                                                                                         capsys):
    folder = course["folder"]
    code = autograder_cli(["hand-back", "01_neuron", "--root", str(folder), "--out", str(tmp_path)])
    with_page = sorted(s for s, (a, n) in CLASS.items() if a == "01_neuron" and n is not None)
    assert sorted(p.stem for p in (tmp_path / "01_neuron").glob("*.html")) == with_page
    assert (tmp_path / "01_neuron" / "s02.html").read_bytes() \
        == (folder / "feedback/s02/01_neuron/01_neuron.html").read_bytes()
    assert code == 1 and "No feedback page (run nbgrader generate_feedback 01_neuron): s06" in capsys.readouterr().out


def test_one_student_graded_again_alone_gets_the_same_scores(course):
    """--student: a run of one submission, graded in nbgrader's own process rather than by workers."""
    def scores() -> dict[str, float]:
        with Gradebook(f"sqlite:///{course['folder'] / 'gradebook.db'}") as gb:
            return {g.name: g.auto_score for g in gb.find_submission_notebook("01_neuron", "01_neuron", "s02").grades}

    before = scores()
    run = nbgrader(course["folder"], "autograde", "01_neuron", "--student", "s02", "--force")
    assert run.returncode == 0 and re.search(r"^\[1/1\] s02 01_neuron 2\.5/5$", run.stdout, re.M), run.stdout
    assert scores() == before


# Example submissions whose graded code is not (only) in their answer cells: helper cells, cells pasted without
# metadata, copies of an answer cell (an id twice), names defined below the checks or where the grader runs nothing.
DEFINED_ELSEWHERE = {
    "01_neuron": ["correct_helpers_and_import_in_a_cell_above", "correct_no_nbgrader_metadata_at_all",
                  "bug_helper_defined_below_the_checks", "bug_helper_defined_inside_an_if_block",
                  "correct_with_broken_scratch_cells"],
    "02_logistic_regression": ["correct_answer_cell_pasted_back_without_metadata",
                               "correct_kept_a_buggy_copy_of_the_answer_cell_above",
                               "correct_cost_helper_in_a_cell_below_the_answer",
                               "correct_helpers_beside_an_endless_loop_and_an_error"],
    "03_activation_functions": ["correct_relu_written_in_a_new_cell_below_the_stub",
                                "correct_answer_cells_without_metadata", "bug_sigmoid_from_scipy"],
}


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = make_course(tmp_path_factory.mktemp("elsewhere") / "course", list(DEFINED_ELSEWHERE))
    runs = {"generate": nbgrader(folder, "generate_assignment", "*")}
    for a, names in DEFINED_ELSEWHERE.items():
        for name in names:
            submit(folder, name, a, SUBMISSIONS / a / f"{name}.ipynb")
        runs[a] = nbgrader(folder, "autograde", a)
    return {"folder": folder, "runs": runs}


def test_nbgrader_autograde_scores_code_outside_the_answer_cells_exactly_as_grade_does(elsewhere):
    for name, run in elsewhere["runs"].items():
        assert run.returncode == 0, (name, run.stderr[-3000:])
    with Gradebook(f"sqlite:///{elsewhere['folder'] / 'gradebook.db'}") as gb:
        for a, names in DEFINED_ELSEWHERE.items():
            for name in names:
                expected: dict[str, float] = {}
                for test in read_json(SUBMISSIONS / a / f"{name}.expected.json")["tests"]:
                    function = test["extra_data"]["function"]
                    expected[function] = round(expected.get(function, 0) + test["score"], 2)
                got = {g.name.replace("-", "."): g.auto_score for g in gb.find_submission_notebook(a, a, name).grades
                       if g.name.replace("-", ".") in expected}
                assert got == pytest.approx(expected, abs=1e-9), name


def test_the_needs_a_look_list_names_the_notebooks_graded_from_cells_of_their_own(elsewhere):
    listed = elsewhere["runs"]["01_neuron"].stdout.split("Needs a look: ")[1]
    line = next(x for x in listed.splitlines() if x.strip().startswith("correct_helpers_and_import_in_a_cell_above"))
    assert "graded code came from cells other than the answer cells: cell 10 (`import math`)" in line
    assert "correct_with_broken_scratch_cells" not in listed  # its own cells hold nothing graded code uses
