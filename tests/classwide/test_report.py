"""The class report: numbers from results files alone, grades.csv, summary.json, and the page in a browser.

The class here is written as results files (the documented format, mistake tags included), so every case
the report distinguishes is present: full marks, a shared mistake, a timeout without a sandbox, a notebook
that could not be graded, a grader failure, tampering, a missing notebook and an unreadable results file.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, read_json
from matplotlib.image import imread
from support.browser import chromium_page
from support.class_files import assert_summary_matches_files

SIGMOID = "Neuron.sigmoid: matches the reference on arrays of several shapes"
FORWARD = [f"Neuron.forward: matches the reference [{n} inputs]" for n in (1, 3, 6)]
BIAS_FEEDBACK = "forward(x) with n = 3 inputs is wrong: the bias is missing: z = w·x + b."


def check(name: str, points: float, failed: str = "", tags: tuple = ()) -> dict:
    return {"name": name, "score": 0.0 if failed else points, "max_score": points,
            "status": "failed" if failed else "passed", "output": failed, "visibility": "visible",
            "tags": list(tags)}


def results(tests: list[dict], **extra) -> dict:
    return {"score": round(sum(t["score"] for t in tests), 2), "execution_time": 0.1, "output": "", "tests": tests,
            "extra_data": {"assignment": "01_neuron", "max_score": 5.0, "isolation": "bubblewrap",
                           "grader_error": None, **extra}}


def class_results() -> dict[str, dict | str]:
    """student -> results document (or broken text) for 01_neuron."""
    sigmoid_ok, forward_ok = check(SIGMOID, 2.0), [check(n, 1.0) for n in FORWARD]
    missing_bias = [check(n, 1.0, BIAS_FEEDBACK, ("forward/missing-bias",)) for n in FORWARD]
    return {
        "ana": results([sigmoid_ok, *forward_ok]),
        "ben": results([sigmoid_ok, forward_ok[0], *missing_bias[1:]]),
        "cy": results([check(SIGMOID, 2.0, "sigmoid(x) has the wrong sign.", ("sigmoid/flipped-sign",)),
                       *missing_bias]),
        "dee": results([sigmoid_ok, *(check(n, 1.0, "Neuron.forward did not finish.", ("forward/timeout",))
                                      for n in FORWARD)], isolation="none"),
        "eve": results([check(SIGMOID, 2.0, "not JSON", ("sigmoid/notebook-unreadable",)),
                        *(check(n, 1.0, "not JSON", ("forward/notebook-unreadable",)) for n in FORWARD)],
                       isolation="none", notebook_error="01_neuron.ipynb is not a valid notebook"),
        "fay": results([], grader_error="FileNotFoundError: no source notebooks"),
        "gus": results([sigmoid_ok, *forward_ok], tampering=["replaced np.allclose"]),
        "hal": results([check(SIGMOID, 2.0, "does not exist"), *(check(n, 1.0, "does not exist") for n in FORWARD)],
                       missing=True),
        "ivy": '{"score": 3, "tests": [',
    }


def write_class(folder: Path, docs: dict[str, dict | str], assignment: str = "01_neuron") -> None:
    for student, doc in docs.items():
        path = folder / student / f"{assignment}.results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")


def report_cli(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "report", str(folder)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    write_class(folder, class_results())
    run = report_cli(folder)
    assert run.returncode == 0, run.stdout + run.stderr
    return folder


def test_summary_counts_match_the_results_files(reported: Path):
    assert_summary_matches_files(reported)
    assert read_json(reported / "summary.json")["students"] == len(class_results())


def test_a_mistake_counts_once_per_student_with_the_feedback_they_read(reported: Path):
    mistakes = read_json(reported / "summary.json")["assignments"]["01_neuron"]["mistakes"]
    top = mistakes[0]
    assert (top["id"], top["students"], top["function"]) == ("forward/missing-bias", ["ben", "cy"], "Neuron.forward")
    assert top["share"] == pytest.approx(2 / 8, abs=1e-4)  # 8 notebooks submitted: hal's is missing
    assert top["feedback"] == BIAS_FEEDBACK
    assert not [m for m in mistakes if "eve" in m["students"]]  # her unreadable notebook is a reason to look


def test_needs_a_look_lists_failures_timeouts_invalid_notebooks_no_sandbox_and_tampering(reported: Path):
    looks = {n["student"]: n["reasons"] for n in read_json(reported / "summary.json")["assignments"]["01_neuron"]
             ["needs_look"]}
    assert set(looks) == {"dee", "eve", "fay", "gus", "ivy"}  # not ben or cy: a low score alone is no reason
    assert looks["dee"] == ["Neuron.forward timed out", "graded without a sandbox"]
    assert looks["eve"] == ["the notebook could not be graded: 01_neuron.ipynb is not a valid notebook"]
    assert looks["fay"][0].startswith("the grader could not run: FileNotFoundError")
    assert looks["gus"] == ["tampering: replaced np.allclose"]
    assert "could not be read" in looks["ivy"][0]


def test_grades_csv_has_a_row_per_results_file_a_column_per_function_and_says_why(reported: Path):
    rows = list(csv.DictReader(io.StringIO((reported / "grades.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["student", "assignment", "score", "max_score", "raw_score", "submitted", "late_by",
                             "penalty", "Neuron.sigmoid", "Neuron.forward", "note"]
    by_student = {row["student"]: row for row in rows}
    assert set(by_student) == set(class_results())
    assert (by_student["ben"]["score"], by_student["ben"]["Neuron.sigmoid"], by_student["ben"]["Neuron.forward"]) \
        == ("3", "2", "1")
    assert (by_student["ben"]["raw_score"], by_student["ben"]["late_by"], by_student["ben"]["penalty"]) == ("3", "", "")
    assert by_student["hal"]["note"] == "no notebook submitted"
    assert by_student["ivy"]["score"] == "" and "could not be read" in by_student["ivy"]["note"]
    assert by_student["ana"]["note"] == ""


def test_report_is_one_file_with_every_plot_inline_and_names_escaped(tmp_path: Path):
    docs = class_results()
    docs["<i>ben&co"] = docs.pop("ben")  # a folder name is any text: it shows in the mistakes' student lists
    write_class(tmp_path, docs)
    assert report_cli(tmp_path).returncode == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'<(?:img|script|link|iframe)[^>]*(?:src|href)="([^"]*)"', html)
    assert sources and all(s.startswith("data:") for s in sources)
    pngs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(pngs) == 2  # the score histogram and the marks per function
    assert all(imread(io.BytesIO(base64.b64decode(p))).shape[0] > 100 for p in pngs)
    assert "<i>ben" not in html and "&lt;i&gt;ben&amp;co" in html


def test_report_reuses_the_similar_groups_of_an_earlier_summary(tmp_path: Path):
    write_class(tmp_path, {"ana": class_results()["ana"], "gus": class_results()["gus"]})
    assert report_cli(tmp_path).returncode == 0
    assert read_json(tmp_path / "summary.json")["assignments"]["01_neuron"]["similar"] is None
    assert "Not compared" in (tmp_path / "report.html").read_text(encoding="utf-8")
    summary = read_json(tmp_path / "summary.json")
    summary["assignments"]["01_neuron"]["similar"] = [["ana", "gus"]]
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert report_cli(tmp_path).returncode == 0
    assert read_json(tmp_path / "summary.json")["assignments"]["01_neuron"]["similar"] == [["ana", "gus"]]
    assert "<li>ana, gus</li>" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_report_of_a_folder_without_results_says_what_it_expected(tmp_path: Path):
    run = report_cli(tmp_path)
    assert run.returncode == 1 and "<student>/<assignment>.results.json" in run.stdout


# -- as a person sees it: headless Chromium ---------------------------------------------------------------
IMAGES = "Promise.all(Array.from(document.images, i => i.decode())).then(() => " \
         "Array.from(document.images, i => i.naturalWidth))"


def test_report_renders_in_headless_chromium_with_no_errors_every_image_decoded_and_not_blank(reported: Path):
    with chromium_page("render the report") as (page, problems):
        page.goto((reported / "report.html").as_uri())
        widths = page.evaluate(IMAGES)
        title = page.title()
        screenshot = imread(io.BytesIO(page.screenshot()))
    assert problems == []
    assert len(widths) == 2 and all(w > 0 for w in widths)
    assert title == "Class report"
    colours = np.unique((screenshot[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert screenshot.shape[:2] == (1400, 1100) and len(colours) > 50  # text and plots, not a blank page


def test_the_browser_check_catches_console_errors_and_images_that_do_not_decode(tmp_path: Path):
    page_file = tmp_path / "broken.html"
    page_file.write_text('<!DOCTYPE html><title>x</title><link rel="icon" href="data:,">'
                         '<img src="data:image/png;base64,iVBORw0KGgo="><script>console.error("boom")</script>')
    with chromium_page("render the report") as (page, problems):
        page.goto(page_file.as_uri())
        with pytest.raises(Exception, match="decode"):
            page.evaluate(IMAGES)
        assert page.evaluate("Array.from(document.images, i => i.naturalWidth)") == [0]
    assert any("boom" in p for p in problems)
