"""Golden tests: each example submission under tests/submissions/ is graded by the command line and its
results must equal the expected results file beside it (`<name>.expected.json`).

The expected files are the grader's output, read and approved by a person: regenerate them all with
    .venv/bin/python -m pytest tests/grading/test_golden.py --regen-golden
then review the diff. Names say what a submission holds: correct_* (full marks whatever the style),
bug_* (one typical mistake, costing only that function's points), faulty_* and cheat_* (untrusted input).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, grade_cli, read_json, release
from support.golden import comparable

from autograder.grading.notebook import NotebookError, read_cells

SUBMISSIONS = sorted((ROOT / "tests" / "submissions").glob("*/*.ipynb"))
@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_submission_grades_as_expected(submission: Path, tmp_path: Path, request: pytest.FixtureRequest):
    expected_file = submission.with_suffix(".expected.json")
    run = grade_cli(submission, tmp_path / "results.json")
    assert run.returncode == 0, run.stdout + run.stderr
    got = comparable(read_json(tmp_path / "results.json"))
    if request.config.getoption("--regen-golden"):
        expected_file.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_file.exists(), f"no expected results for {submission.name}: run with --regen-golden"
    assert got == read_json(expected_file)


def test_every_submission_kind_is_represented():
    kinds = {p.stem.split("_")[0] for p in SUBMISSIONS}
    assert {"correct", "bug", "faulty", "cheat"} <= kinds
    for path in SUBMISSIONS:
        expected = read_json(path.with_suffix(".expected.json"))
        if path.stem.startswith("correct"):
            assert expected["score"] == expected["extra_data"]["max_score"] > 0, path.name
        if path.stem.startswith(("bug", "cheat")):
            assert expected["score"] < expected["extra_data"]["max_score"], path.name


def test_example_submissions_carry_the_current_releases_read_only_and_test_cells():
    # A submission made from an older release would differ from what students receive now (nbgrader warns).
    for path in SUBMISSIONS:
        try:
            cells = read_cells(path)
        except NotebookError:
            continue  # the faulty ones that are not notebooks at all
        given = {c["nbgrader"]["grade_id"]: c["source"] for c in read_cells(release(path.parent.name))
                 if c["nbgrader"].get("locked") and not c["nbgrader"].get("solution")}
        for cell in cells:
            grade_id = cell["nbgrader"].get("grade_id")
            assert grade_id not in given or cell["source"] == given[grade_id], (path.name, grade_id)
        if not path.stem.startswith("faulty_"):  # (the faulty ones may lack cells on purpose)
            held = {c["nbgrader"].get("grade_id") for c in cells} | {g for g, s in given.items()
                                                                     if s in {c["source"] for c in cells}}
            assert set(given) <= held, path.name  # by id, or pasted back without metadata
