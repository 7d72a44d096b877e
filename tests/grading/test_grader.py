"""The grading command and library: results format, exit status, determinism, fairness, secrecy."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import ASSIGNMENTS, ROOT, env_with_venv, grade_cli, read_json, release, source

from autograder import Limits, grade
from autograder.grading.mistakes import CATALOGUE, GENERIC
from autograder.grading.notebook import load_assignment
from autograder.grading.reference import Reference
from autograder.grading.results import apportion

SCHEMA = read_json(ROOT / "autograder" / "grading" / "results.schema.json")
SUBMISSIONS = ROOT / "tests" / "submissions"
HIDDEN = ROOT / "autograder" / "hidden"


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_reference_solution_gets_full_marks_on_every_check(a, tmp_path):
    run = grade_cli(source(a), tmp_path / "r.json")
    results = read_json(tmp_path / "r.json")
    assert run.returncode == 0
    assert results["score"] == results["extra_data"]["max_score"] == load_assignment(source(a)).max_score
    assert all(t["status"] == "passed" for t in results["tests"])
    assert {t["name"].split(":")[0] for t in results["tests"]} == set(load_assignment(source(a)).rubric)


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_untouched_release_gets_zero_and_says_what_to_do(a, tmp_path):
    run = grade_cli(release(a), tmp_path / "r.json")
    results = read_json(tmp_path / "r.json")
    assert run.returncode == 0
    assert results["score"] == 0 and results["tests"]
    assert all("not written yet" in t["output"] for t in results["tests"])


def test_results_files_follow_gradescope_schema(tmp_path):
    cases = [source("02_logistic_regression"), release("01_neuron"), SUBMISSIONS / "01_neuron/faulty_not_json.ipynb",
             SUBMISSIONS / "01_neuron/faulty_syntax_error.ipynb"]
    for i, notebook in enumerate(cases):
        grade_cli(notebook, tmp_path / f"{i}.json")
        jsonschema.validate(read_json(tmp_path / f"{i}.json"), SCHEMA)
    with pytest.raises(jsonschema.ValidationError):  # the schema is not vacuous
        jsonschema.validate({"score": "full", "tests": [{"name": 1}]}, SCHEMA)


def test_stdout_shows_a_table_of_functions_points_and_first_feedback_line(tmp_path):
    run = grade_cli(SUBMISSIONS / "01_neuron/bug_forward_missing_bias.ipynb", tmp_path / "r.json")
    lines = run.stdout.splitlines()
    assert lines[0] == "01_neuron: 2.5/5 points"
    assert re.match(r"\s+Neuron\.sigmoid\s+2/2\s+passed", lines[1])
    assert re.match(r"\s+Neuron\.forward\s+0\.5/3\s+5/6 failed\s+.*the bias is missing", lines[2])


def test_same_submission_gives_the_same_results_message_for_message(tmp_path):
    for name in ("02_logistic_regression/bug_train_one_epoch_short", "01_neuron/faulty_crash_and_memory_hog"):
        runs = []
        for i in range(2):
            grade_cli(SUBMISSIONS / f"{name}.ipynb", tmp_path / f"{i}.json")
            runs.append(dict(read_json(tmp_path / f"{i}.json"), execution_time=None))
        assert runs[0] == runs[1]


def test_grader_that_cannot_run_exits_nonzero_and_still_writes_a_zero_score_with_the_reason(tmp_path):
    run = grade_cli(source("01_neuron"), tmp_path / "r.json", "--solutions", str(tmp_path / "nowhere"))
    results = read_json(tmp_path / "r.json")
    assert run.returncode != 0
    assert results["score"] == 0 and "no source notebooks" in results["extra_data"]["grader_error"]
    assert "not a problem with your work" in results["output"]
    jsonschema.validate(results, SCHEMA)


def test_unreadable_notebook_is_a_graded_zero_not_a_grader_failure(tmp_path):
    run = grade_cli(SUBMISSIONS / "01_neuron/faulty_not_json.ipynb", tmp_path / "r.json")
    results = read_json(tmp_path / "r.json")
    assert run.returncode == 0 and results["score"] == 0
    assert "is not a valid notebook" in results["output"] and "line 1" in results["output"]


def test_a_known_assignment_lists_every_check_even_when_the_notebook_is_unreadable(tmp_path):
    grade_cli(SUBMISSIONS / "01_neuron/faulty_not_json.ipynb", tmp_path / "r.json", "--assignment", "01_neuron")
    results = read_json(tmp_path / "r.json")
    assert results["extra_data"]["max_score"] == 5 and results["score"] == 0
    assert all("is not a valid notebook" in t["output"] for t in results["tests"])


def test_assignment_is_recognised_from_cell_ids_not_the_file_name(tmp_path):
    renamed = tmp_path / "my homework (final) v2.ipynb"
    renamed.write_bytes(source("03_activation_functions").read_bytes())
    grade_cli(renamed, tmp_path / "r.json")
    assert read_json(tmp_path / "r.json")["extra_data"]["assignment"] == "03_activation_functions"


def test_hidden_tests_run_directly_under_pytest_with_a_notebook_option():
    def run(notebook: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pytest", str(HIDDEN), "--notebook", str(notebook), "-q"],
                              cwd=ROOT, capture_output=True, text=True, env=env_with_venv(), timeout=300)

    passed = run(source("01_neuron"))
    assert passed.returncode == 0 and re.search(r"\d+ passed, \d+ deselected", passed.stdout), passed.stdout
    failed = run(SUBMISSIONS / "01_neuron/bug_forward_missing_bias.ipynb")
    assert failed.returncode == 1 and "the bias is missing" in failed.stdout


def test_feedback_never_shows_hidden_test_source():
    hidden_lines = {line.strip() for path in HIDDEN.glob("*.py") for line in path.read_text().splitlines()
                    if len(line.strip()) > 30 and not line.strip().startswith(("#", '"', "f\"", "fail", "\"\"\""))}
    for expected in SUBMISSIONS.glob("*/*.expected.json"):
        text = json.dumps(read_json(expected))
        leaked = [line for line in hidden_lines if line in text]
        assert not leaked, (expected.name, leaked[:3])


def test_library_call_grades_without_a_sandbox_and_says_so(tmp_path):
    results = grade(source("01_neuron"), sandbox=False, results_path=tmp_path / "r.json")
    assert results.score == 5 and results.isolation == "none"
    assert "without a sandbox" in read_json(tmp_path / "r.json")["output"]


def test_a_broken_reference_is_reported_as_the_graders_failure_with_its_reason(tmp_path):
    solutions = tmp_path / "solutions"
    shutil.copytree(ROOT / "solutions", solutions)
    notebook = solutions / "01_neuron" / "01_neuron.ipynb"
    nb = read_json(notebook)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "neuron_answer":
            cell["source"] = ["class Neuron:\n", "    def forward(self:\n"]
    notebook.write_text(json.dumps(nb))
    run = grade_cli(source("01_neuron"), tmp_path / "r.json", "--solutions", str(solutions))
    results = read_json(tmp_path / "r.json")
    assert run.returncode != 0 and results["score"] == 0
    assert results["extra_data"]["grader_error"].startswith("SyntaxError")


@pytest.mark.parametrize("a", ASSIGNMENTS)
def test_each_functions_checks_add_up_to_exactly_its_points(a, tmp_path):
    grade_cli(source(a), tmp_path / "r.json")
    results = read_json(tmp_path / "r.json")
    rubric = load_assignment(source(a)).rubric
    for function, points in rubric.items():
        maxima = [t["max_score"] for t in results["tests"] if t["extra_data"]["function"] == function]
        assert all(round(m * 100) == m * 100 for m in maxima), maxima  # whole hundredths of a point
        assert sum(round(m * 100) for m in maxima) == round(points * 100), function
    assert results["score"] == results["extra_data"]["max_score"] == sum(rubric.values())
    assert repr(results["score"]) == repr(float(sum(rubric.values())))  # 15.0, never 14.999999999999998


def test_apportion_splits_whole_hundredths_by_weight_and_adds_up():
    assert apportion(300, [1, 1, 1, 1, 1, 1, 1]) == [43, 43, 43, 43, 43, 43, 42]
    assert apportion(100, [2, 1]) == [67, 33]
    assert apportion(200, [1, 3]) == [50, 150]
    assert sum(apportion(1000, [3, 7, 11, 13])) == 1000


def test_every_recorded_mistake_id_is_catalogued_and_every_catalogued_one_is_recognised_by_a_check():
    if str(HIDDEN) not in sys.path:
        sys.path.insert(0, str(HIDDEN))  # (the checks import their shared helpers as pytest would)
    for a in ASSIGNMENTS:
        importlib.import_module(f"test_{a}")  # each declares the mistakes it recognises
    assert len(CATALOGUE) > 90
    declared = re.compile(r"^catalogue\(\{.*?^\}\)$", re.M | re.S)  # where ids are declared, not recognised
    hidden_source = "".join(declared.sub("", p.read_text()) for p in HIDDEN.glob("*.py"))
    for expected in SUBMISSIONS.glob("*/*.expected.json"):
        for test in read_json(expected)["tests"]:
            assert (test["status"] == "failed") or not test["tags"], expected.name
            for found in test["tags"]:
                slug = found.partition("/")[2]
                assert found in CATALOGUE or slug in GENERIC or slug.startswith("raised-"), (expected.name, found)
    unused = [i for i in CATALOGUE if f'"{i}"' not in hidden_source]
    assert not unused, f"catalogued but recognised by no hidden check: {unused}"


def test_failed_checks_carry_the_mistake_they_recognised():
    expected = read_json(SUBMISSIONS / "02_logistic_regression" / "bug_cost_missing_1_over_m.expected.json")
    tagged = {t["name"]: t["tags"] for t in expected["tests"] if t["status"] == "failed"}
    assert tagged and all(tags == ["compute_cost/missing-mean"] for tags in tagged.values())


def test_stand_ins_are_the_members_the_references_own_function_calls_directly_or_not():
    logreg = Reference(load_assignment(source("02_logistic_regression")))
    calls = {m: logreg.calls(f"LogisticRegressionNN.{m}") for m in
             ("sigmoid", "forward", "compute_cost", "compute_gradients", "train", "predict")}
    through_forward = {"forward", "sigmoid"}
    assert calls == {"sigmoid": set(), "forward": {"sigmoid"}, "compute_cost": through_forward,
                     "compute_gradients": through_forward, "train": {"compute_gradients", *through_forward},
                     "predict": through_forward}
    activations = Reference(load_assignment(source("03_activation_functions")))
    assert activations.calls("sigmoid_derivative") == {"sigmoid"} and activations.calls("softmax") == set()
    assert activations.calls("tanh_derivative") == {"tanh"}


def test_a_notebook_that_cannot_be_read_lists_every_graded_function_at_zero_with_the_reason(tmp_path):
    grade_cli(SUBMISSIONS / "01_neuron/faulty_not_json.ipynb", tmp_path / "r.json", "--assignment", "01_neuron")
    results = read_json(tmp_path / "r.json")
    assert {t["extra_data"]["function"] for t in results["tests"]} == set(load_assignment(source("01_neuron")).rubric)
    assert results["extra_data"]["notebook_error"].startswith("faulty_not_json.ipynb is not a valid notebook")
    assert all(t["tags"][0].endswith("/notebook-unreadable") for t in results["tests"])


def test_a_course_that_student_code_could_read_is_refused(tmp_path):
    results = grade(source("01_neuron"), solutions=Path("/usr/share"), results_path=tmp_path / "r.json")
    assert results.error and "would be readable by student code" in results.error


def test_a_cell_id_edited_into_a_list_is_ignored_not_a_grader_failure(tmp_path):
    notebook = read_json(source("01_neuron"))
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "Neuron-sigmoid":
            cell["metadata"]["nbgrader"]["grade_id"] = ["Neuron-sigmoid"]
    (tmp_path / "odd.ipynb").write_text(json.dumps(notebook))
    results = grade(tmp_path / "odd.ipynb")
    assert results.error is None and results.score == 5


def test_student_code_imports_numpy_and_the_standard_library_only_whatever_is_installed(tmp_path):
    # jinja2 is installed beside the grader (nbgrader needs it), yet a cell that imports it gets the
    # course's message, as scipy does where it is not installed: the grade does not depend on the machine.
    nb = read_json(SUBMISSIONS / "01_neuron/correct_matmul_and_list_comprehension.ipynb")
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "neuron_answer")
    answer["source"] = "import jinja2\nimport math, json, numpy.linalg\n" + "".join(answer["source"])
    path = tmp_path / "imports.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    results = grade(path)
    assert results.score == 0 and results.problems["neuron_answer"].startswith(
        "your cell 'neuron_answer' raised an error when run: ModuleNotFoundError: No module named 'jinja2'\n"
        "This course is graded with NumPy and the Python standard library only")
    tags = {tag for t in results.tests for tag in t.tags}
    assert tags == {"sigmoid/non-course-library", "forward/non-course-library"}
    answer["source"] = answer["source"].replace("import jinja2\n", "")
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert grade(path).score == 5  # the standard library and numpy's own modules import as usual


def test_a_statement_that_hangs_is_left_out_alone_not_the_rest_of_its_cell(tmp_path):
    nb = read_json(SUBMISSIONS / "01_neuron/correct_helpers_and_import_in_a_cell_above.ipynb")
    cells = nb["cells"]
    at = next(i for i, c in enumerate(cells) if c["metadata"].get("nbgrader", {}).get("grade_id") == "neuron_answer")
    cells[at - 1]["source"] += "\n\ndef endless():\n    while True:\n        pass\n\n\nOFFSET = endless()\n"
    cells[at]["source"] = "".join(cells[at]["source"]).replace("self.bias)", "self.bias + OFFSET)")
    path = tmp_path / "hangs.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    results = grade(path, limits=Limits(cell_seconds=1))
    scores = {f: sum(t.score for t in tests) for f, tests in results.by_function().items()}
    assert scores == {"Neuron.sigmoid": 2, "Neuron.forward": 0}  # logistic, beside the hanging line, still counts
    forward = next(t for t in results.tests if t.function == "Neuron.forward")
    assert forward.output.startswith("Neuron.forward raised NameError: name 'OFFSET' is not defined\nOFFSET is not "
                                     "defined, because: your cell 10 (`import math`) did not finish within 1 s")
    assert forward.tags == ["forward/timeout"]


def copy_of_solutions(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "solutions"
    for a in names:
        shutil.copytree(ROOT / "solutions" / a, folder / a)
    return folder


def test_a_rubric_function_that_no_hidden_check_covers_is_a_grader_error_naming_it(tmp_path):
    solutions = copy_of_solutions(tmp_path, "01_neuron")
    path = solutions / "01_neuron" / "01_neuron.ipynb"
    nb = read_json(path)
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "extra-test", "outputs": [],
                        "source": "# tests of Neuron.extra\n", "metadata": {"nbgrader": {
                            "grade": True, "grade_id": "Neuron-extra", "locked": True, "points": 2,
                            "schema_version": 3, "solution": False, "task": False}}})
    path.write_text(json.dumps(nb), encoding="utf-8")
    results = grade(SUBMISSIONS / "01_neuron/correct_matmul_and_list_comprehension.ipynb", solutions=solutions,
                    assignment="01_neuron")
    assert results.score == 0 and "Neuron.extra has a test cell with points in the source notebook but no " \
        "hidden check in test_01_neuron.py" in results.error  # not 5/5 out of a rubric silently worth 5, not 7


def test_an_assignment_without_hidden_checks_is_a_grader_error_that_says_which_file_to_add(tmp_path):
    solutions = tmp_path / "solutions"
    (solutions / "09_copy").mkdir(parents=True)
    shutil.copyfile(source("01_neuron"), solutions / "09_copy" / "09_copy.ipynb")
    results = grade(source("01_neuron"), solutions=solutions, assignment="09_copy")
    assert results.score == 0 and "assignment 09_copy has no hidden checks: add autograder/hidden/" \
        "test_09_copy.py" in results.error


def test_hidden_checks_for_an_assignment_without_a_source_notebook_are_named_when_a_notebook_is_unknown(tmp_path):
    solutions = copy_of_solutions(tmp_path, "01_neuron")
    results = grade(SUBMISSIONS / "02_logistic_regression/correct_matmul_clip_history.ipynb", solutions=solutions)
    assert results.score == 0 and "autograder/hidden/test_02_logistic_regression.py checks an assignment that " \
        "has no source notebook" in results.output
