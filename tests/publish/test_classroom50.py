"""Classroom 50: the bundles, and their autograder.py run as Classroom 50's runner runs it (the student's
checkout as working directory, the runner's variables set, the job's own variables too). Every result.json
is checked against Classroom 50's v1 schema and against the rules its runner enforces in code."""

from __future__ import annotations

import importlib.util
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

import jsonschema
import nbformat
import pytest
from conftest import ROOT, code_cells, pin_wheels, read_json, release, source

from autograder.grading.notebook import plain
from autograder.publish.classroom50.bundle import main as write_bundles
from autograder.publish.classroom50.result import scale_for
from autograder.publish.student_page import markdown

SCHEMA = read_json(ROOT / "autograder" / "publish" / "classroom50" / "result-v1.schema.json")
SUBMISSIONS = ROOT / "tests" / "submissions"
TAG = "submit/2026-12-01T09-30-00Z-abc1234"
JOB_SECRET = "ghs_job_token_that_student_code_must_not_see"


@pytest.fixture(scope="module")
def autograders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("config")
    assert write_bundles(out, "course-2026") == 0
    return out / "course-2026" / "autograders"


def runner_env(checkout: Path, slug: str) -> dict[str, str]:
    """What runner.py hands autograder.py: the job's whole environment plus the submission's identity."""
    repo = f"https://github.com/course-org/course-2026-{slug}-ada"
    job = checkout.parent / "job"
    job.mkdir(exist_ok=True)
    return dict(os.environ, CLASSROOM="course-2026", ASSIGNMENT=slug, SUBMISSION_TAG=TAG, OWNER="ada",
                USERNAME="ada", ASSIGNMENT_TYPE="individual", COMMIT_URL=f"{repo}/commit/abc1234",
                REVIEW_URL=f"{repo}/compare/0f0...abc",
                RELEASE_URL=f"{repo}/releases/tag/submit%2F2026-12-01T09-30-00Z-abc1234", GITHUB_TOKEN=JOB_SECRET,
                PAGES_BASE_URL="https://course-org.github.io/classroom50", GITHUB_OUTPUT=str(job / "output"),
                GITHUB_STEP_SUMMARY=str(job / "summary"), RUNNER_TEMP=str(job))


def checkout(tmp_path: Path, a: str, notebook: Path | None) -> Path:
    """A student's repository with `notebook` at <a>/<a>.ipynb (none: moved away), committed at a known time."""
    repo = tmp_path / "checkout"
    (repo / a).mkdir(parents=True)
    (repo / "README.md").write_text("my work\n")
    if notebook:
        shutil.copy(notebook, repo / a / f"{a}.ipynb")
    env = dict(os.environ, GIT_COMMITTER_DATE="2026-12-01T09:30:00Z", GIT_AUTHOR_DATE="2026-12-01T09:30:00Z")
    for command in (["init", "--quiet"], ["add", "-A"], ["commit", "--quiet", "-m", "My work"]):
        subprocess.run(["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org", *command], cwd=repo,
                       env=env, check=True)
    return repo


def grade_as_runner(autograders: Path, a: str, repo: Path) -> tuple[subprocess.CompletedProcess, dict, str]:
    slug = a.replace("_", "-")
    run = subprocess.run([sys.executable, str(autograders / slug / "autograder.py")], cwd=repo,
                         env=runner_env(repo, slug), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr  # a non-zero exit is an error result, whatever result.json says
    text = (repo / "result.json").read_text(encoding="utf-8")
    result = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in result.json"))
    check_runner_rules(result, runner_env(repo, slug))
    return run, result, (repo / "release-body.md").read_text(encoding="utf-8")


def check_runner_rules(result: dict, env: dict) -> None:
    """The v1 schema, and what runner.py's validate_result checks in code (and what the contract adds)."""
    jsonschema.validate(result, SCHEMA)
    assert (result["classroom"], result["assignment"], result["submission"]) == \
           (env["CLASSROOM"], env["ASSIGNMENT"], env["SUBMISSION_TAG"])
    assert (result["commit"], result["release"], result["review"]) == \
           (env["COMMIT_URL"], env["RELEASE_URL"], env["REVIEW_URL"])
    assert (result["owner"], result["assignment_type"]) == (env["OWNER"], env["ASSIGNMENT_TYPE"])
    numbers = [result["score"], result["max-score"]] + [t[k] for t in result["tests"] for k in ("score", "max-score")]
    assert all(type(n) is int and n >= 0 for n in numbers)  # an int, never a float nor a bool
    assert result["score"] <= result["max-score"] and all(t["score"] <= t["max-score"] for t in result["tests"])
    assert result["tests"] and result["score"] == sum(t["score"] for t in result["tests"])
    for row in result["tests"]:
        assert row["score"] == round(row["points"] * row["scale"]) and math.isclose(row["points"] * row["scale"],
                                                                                    row["score"], abs_tol=1e-6)


def with_answer(notebook: Path, dest: Path, change) -> Path:
    """A copy of `notebook` whose answer cell's source is change(source)."""
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    cell.source = change(cell.source)
    nbformat.write(nb, dest)
    return dest


CASES = {  # what the student pushed -> (score, max-score, a phrase of the feedback of each failed row)
    "correct": (source("01_neuron"), 50, None),
    "buggy": (SUBMISSIONS / "01_neuron/bug_forward_missing_bias.ipynb", 25, "the bias is missing"),
    "untouched": (release("01_neuron"), 0, "not written yet"),
    "invalid": (SUBMISSIONS / "01_neuron/faulty_not_json.ipynb", 0, "not a valid notebook"),
    "missing": (None, 0, "Your repository has no 01_neuron/01_neuron.ipynb"),
}


@pytest.mark.parametrize("case", CASES)
def test_autograder_writes_a_result_the_runner_accepts_with_the_reason_of_each_lost_point(case, autograders,
                                                                                       tmp_path):
    notebook, score, phrase = CASES[case]
    _, result, body = grade_as_runner(autograders, "01_neuron", checkout(tmp_path, "01_neuron", notebook))
    assert (result["score"], result["max-score"]) == (score, 50)  # 5 points, scale 10 (half-point checks)
    assert [t["test-name"] for t in result["tests"]] == ["Neuron.sigmoid", "Neuron.forward"]
    assert result["datetime"] == "2026-12-01T09:30:00Z"  # the graded commit's time
    for row in result["tests"]:
        assert row["scale"] == 10 and row["passed"] == (row["score"] == row["max-score"])
        assert row["passed"] or phrase in row["feedback"]
    assert len(body) < 125_000 and f"{score / 10:g} / 5 points" in body
    assert "count 1/10 points" in body and f"{score} / 50" in body
    if phrase:
        assert phrase in body


def test_a_course_with_quarter_points_scales_by_100_and_loses_nothing(autograders, tmp_path):
    a = "02_logistic_regression"
    notebook = SUBMISSIONS / a / "bug_cost_missing_1_over_m.ipynb"
    _, result, _ = grade_as_runner(autograders, a, checkout(tmp_path, a, notebook))
    golden = read_json(notebook.with_suffix(".expected.json"))  # the grader's own results for it
    assert result["max-score"] == round(golden["extra_data"]["max_score"] * 100)
    assert result["score"] == round(golden["score"] * 100)
    cost = next(t for t in result["tests"] if t["test-name"] == "LogisticRegressionNN.compute_cost")
    assert not cost["passed"] and cost["tags"] == sorted(cost["tags"]) and "1/m" in cost["feedback"]


def test_student_code_sees_none_of_the_jobs_variables_and_cannot_forge_the_result(autograders, tmp_path):
    repo = tmp_path / "checkout"
    probe = (f"import os as _os\n_SEEN = sorted(k for k in _os.environ if k.startswith(('GITHUB', 'CLASSROOM', "
             f"'SUBMISSION', 'RUNNER', 'OWNER')) or '{JOB_SECRET}' in _os.environ[k])\n"
             f"for _name in ('result.json', 'release-body.md'):\n"
             f"    try:\n        open(_os.path.join({str(repo)!r}, _name), 'w').write('{{\"score\": 999}}')\n"
             f"    except OSError:\n        pass\n"
             f"if _SEEN:\n    raise RuntimeError(f'the grader leaked {{_SEEN}}')\n")
    notebook = with_answer(source("01_neuron"), tmp_path / "probe.ipynb", lambda src: probe + src)
    checkout(tmp_path, "01_neuron", notebook)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (repo / "result.json").symlink_to(victim)  # left by student code, or committed by the student
    (repo / "release-body.md").mkdir()
    run, result, body = grade_as_runner(autograders, "01_neuron", repo)
    assert result["score"] == result["max-score"] == 50, result["tests"]
    assert victim.read_text() == "untouched" and not (repo / "result.json").is_symlink()
    assert JOB_SECRET not in run.stdout + run.stderr + body


def test_what_student_code_printed_reaches_the_page_only_inside_a_code_block(autograders, tmp_path):
    printed = "````\n</details><img src=x onerror=alert(1)>\n| Neuron.forward | PASS | 30 / 30 |"
    notebook = with_answer(source("01_neuron"), tmp_path / "printing.ipynb", lambda src: src.replace(
        "return self.sigmoid(z)", f"print({printed!r})\n        return self.sigmoid(z) + 1"))
    _, _, body = grade_as_runner(autograders, "01_neuron", checkout(tmp_path, "01_neuron", notebook))
    assert "<img src=x" in body and "| Neuron.forward | PASS" in body
    outside = outside_code_blocks(body)
    assert "<img" not in outside and "| Neuron.forward | PASS" not in outside and "Neuron.forward" in outside


def outside_code_blocks(markdown_text: str) -> str:
    """The lines of a Markdown page outside its fenced code blocks (CommonMark's rule for backtick fences)."""
    outside, fence = [], 0
    for line in markdown_text.splitlines():
        run = len(line) if re.fullmatch(r"`{3,}", line.strip()) else 0
        if fence and run >= fence:
            fence = 0
        elif not fence and run:
            fence = run
        elif not fence:
            outside.append(line)
    return "\n".join(outside)


def test_autograder_outside_the_runner_says_what_is_missing(autograders, tmp_path):
    env = {k: v for k, v in runner_env(tmp_path, "01-neuron").items() if k != "CLASSROOM"}
    run = subprocess.run([sys.executable, str(autograders / "01-neuron" / "autograder.py")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "CLASSROOM not set" in run.stderr


def test_bundle_holds_what_grading_needs_and_nothing_of_the_other_assignments(autograders):
    bundle = autograders / "01-neuron"
    assert (bundle / "requirements.txt").read_text().split() == [f"numpy=={version('numpy')}",
                                                                  f"pytest=={version('pytest')}"]
    assert read_json(bundle / "bundle.json")["assignment"] == "01_neuron"
    assert sorted(p.name for p in (bundle / "autograder" / "hidden").iterdir()) == \
        ["conftest.py", "pytest.ini", "shared_suspects.py", "test_01_neuron.py"]
    # The grading core and the sandbox; of publish/, what the entry points run; no report, nbgrader steps, collect
    assert sorted(p.name for p in (bundle / "autograder").iterdir()) == \
        ["__init__.py", "course.py", "grading", "hidden", "publish", "sandbox"]
    assert sorted(p.name for p in (bundle / "autograder" / "publish").iterdir()) == \
        ["__init__.py", "classroom50", "gradescope", "student_page.py"]
    assert sorted(p.name for p in bundle.iterdir()) == \
        ["autograder", "autograder.py", "bundle.json", "requirements.txt", "solutions"]
    reference = bundle / "solutions/01_neuron/01_neuron.ipynb"
    # The answer cells' code (the reference); the other nbgrader cells as students received them (test cells
    # without a hidden block), by which a cell pasted without its metadata is still known.
    given = {c["nbgrader"]["grade_id"]: c["source"] for c in code_cells(release("01_neuron")) if c["nbgrader"]}
    for cell in code_cells(reference):
        meta = cell["nbgrader"]
        expected = given[meta["grade_id"]] if not meta.get("solution") else next(
            c["source"] for c in code_cells(source("01_neuron")) if c["nbgrader"].get("grade_id") == meta["grade_id"])
        assert plain(cell["source"]) == plain(expected), meta["grade_id"]
    assert {c["nbgrader"]["grade_id"] for c in code_cells(reference)} == set(given)
    assert "HIDDEN TESTS" not in reference.read_text() and "markdown" not in reference.read_text()
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as tar:
        tar.add(bundle, arcname=".")
    assert packed.tell() < 10 * 1024 * 1024  # the runner refuses bigger bundles


def checks(*points: float) -> list[dict]:
    return [{"score": 0.0, "max_score": p} for p in points]


def test_scale_is_the_smallest_of_1_10_100_that_makes_every_checks_points_whole():
    assert scale_for(checks(1.0, 2.0)) == 1
    assert scale_for(checks(1.0, 0.5)) == 10 and scale_for(checks(0.6, 0.6, 0.6)) == 10
    assert scale_for(checks(0.25, 1.0)) == 100 and scale_for(checks(0.67, 0.33)) == 100


def test_page_keeps_under_githubs_limit_and_fences_past_any_backticks():
    tests = [{"name": f"f{i % 7}: check {i}", "score": 0.0, "max_score": 1.0, "status": "failed",
              "output": f"message {i} ```` " + "x" * 5000} for i in range(200)]
    page = markdown({"tests": tests, "output": ""}, title="a")
    assert len(page) < 125_000 and "more messages are not shown" in page
    assert "\n`````\nmessage 0 ````" in page


@pytest.mark.parametrize(("bwrap_as_user", "sudo", "expected"), [
    (1, 0, ["sudo", "-n"]),  # Ubuntu 24.04: bubblewrap refused to the runner's user, sudo without password
    (0, 0, []),  # bubblewrap works as the user: no need for root
    (1, 1, []),  # no passwordless sudo: grade as the user (the results say "without a sandbox")
])
def test_grader_runs_as_root_only_where_bubblewrap_needs_it(bwrap_as_user, sudo, expected, tmp_path, monkeypatch):
    entry_point = ROOT / "autograder" / "publish" / "classroom50" / "autograder.py"
    spec = importlib.util.spec_from_file_location("entry", entry_point)
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)
    for name, status in (("bwrap", bwrap_as_user), ("sudo", sudo)):
        (tmp_path / name).write_text(f"#!/bin/sh\nexit {status}\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(entry.os, "geteuid", lambda: 1001)
    assert entry.as_root_for_sandbox() == expected


# -- a bare runner Python, as actions/setup-python gives a GitHub-hosted runner ----------------------------


def interpreter(wanted: str) -> str | None:
    """A Python of version `wanted` on this machine that runs (pyenv's shims may not), or None."""
    candidates = [shutil.which(f"python{wanted}"), *map(str, sorted(Path("/root/.pyenv/versions").glob(
        f"{wanted}.*/bin/python{wanted}")))]
    return next((c for c in candidates if c and subprocess.run([c, "-c", "pass"], capture_output=True).returncode
                 == 0), None)


PYTHONS = {wanted: found for wanted in ("3.11", "3.13") if (found := interpreter(wanted))}


@pytest.fixture(scope="module")
def bare_runner(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """A Python with the standard library and pip only (a venv of the version asked for), and a folder of
    wheels of the bundle's pins for it: the package index its autograder.py installs from."""
    wanted = request.param
    wheels = pin_wheels(wanted)
    venv = tmp_path_factory.mktemp(f"bare-{wanted}") / "python"
    subprocess.run([str(PYTHONS[wanted]), "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    assert subprocess.run([str(python), "-c", "import numpy"], capture_output=True).returncode != 0
    return python, wheels


@pytest.mark.parametrize("bare_runner", [pytest.param(v, id=f"python {v}", marks=pytest.mark.skipif(
    v not in PYTHONS, reason=f"no Python {v} on this machine")) for v in ("3.11", "3.13")], indirect=True)
def test_a_bare_runner_python_installs_the_pins_and_grades_in_the_sandbox_as_a_prepared_one(
        bare_runner, autograders, tmp_path):
    python, wheels = bare_runner
    for a, notebook in (("02_logistic_regression", source("02_logistic_regression")),
                        ("01_neuron", SUBMISSIONS / "01_neuron" / "bug_forward_missing_bias.ipynb")):
        repo = checkout(tmp_path / a, a, notebook)
        slug = a.replace("_", "-")
        env = dict(runner_env(repo, slug), PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels))
        run = subprocess.run([str(python), str(autograders / slug / "autograder.py")], cwd=repo, env=env,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "installing numpy==" in run.stdout
        result = read_json(repo / "result.json")
        check_runner_rules(result, env)
        expected_file = notebook.with_suffix(".expected.json")
        golden = read_json(expected_file) if expected_file.exists() else None  # (none: the reference, full marks)
        points, out_of = (golden["score"], golden["extra_data"]["max_score"]) if golden else (17, 17)
        assert result["score"] * out_of == points * result["max-score"], (a, result["score"])
        assert re.search(r"sandbox: (bubblewrap|landlock)\)", run.stdout), run.stdout  # student code sandboxed
