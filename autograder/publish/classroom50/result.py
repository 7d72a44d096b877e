"""Grading inside a Classroom 50 bundle: results.json becomes Classroom 50's result.json (v1) and the page
the student reads (release-body.md).

The runner's rules, and how they are met here:
- scores are integers: this course gives half, quarter and 0.6 points, so an assignment's points are
  scaled by the smallest of 1, 10 and 100 that makes every check's points whole. The scale depends only
  on the assignment's checks, never on a submission, so every submission of it is on the same scale;
  each row says its scale and its points in the course's own units, and the page says it too;
- one row per graded function (what a student reads best), with the feedback and mistake ids (`tags`)
  of its failed checks as extra fields; the top level has exactly the schema's fields; no NaN anywhere;
- the identity fields come from the runner's environment, read by the entry point (autograder.py).

`run(job)` is what autograder.py starts in a separate process with a clean environment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ...grading.grade import grade
from ..student_page import function_rows, markdown

SCHEMA = "classroom50/result/v1"
SCALES = (1, 10, 100)  # the course's points are multiples of 0.01


def scale_for(tests: list[dict]) -> int:
    """The smallest scale that makes every check's points (and so every sum of them) whole."""
    numbers = [t["max_score"] for t in tests] + [t["score"] for t in tests]
    for scale in SCALES:
        if all(abs(x * scale - round(x * scale)) < 1e-6 for x in numbers):
            return scale
    return SCALES[-1]


def to_result(results: dict, identity: dict) -> tuple[dict, int]:
    """Classroom 50's result.json for `results` (results.json), and the scale used."""
    scale = scale_for(results.get("tests") or [])
    rows = [{"test-name": row.function, "passed": row.passed, "score": round(row.score * scale),
             "max-score": round(row.max_score * scale), "points": row.score, "max-points": row.max_score,
             "scale": scale, "tags": row.tags,
             "feedback": "\n\n".join(f"{t['name']}\n{t.get('output') or ''}".strip() for t in row.failed)}
            for row in function_rows(results)]
    if not rows:  # the runner wants at least one row: say why there is nothing to grade
        rows = [{"test-name": "notebook", "passed": False, "score": 0, "max-score": 0, "points": 0,
                 "max-points": 0, "scale": scale, "tags": [], "feedback": results.get("output") or ""}]
    result = {"schema": SCHEMA, **identity, "score": sum(r["score"] for r in rows),
              "max-score": sum(r["max-score"] for r in rows), "tests": rows}
    return result, scale


def missing_notebook(results: dict, label: str) -> None:
    """Every check at 0 with one message that says where the notebook should be."""
    note = (f"Your repository has no {label}: it was moved, renamed or deleted. Put the notebook back at "
            f"{label} (restore it from your repository's history if need be) and push again.")
    results["output"] = note
    for test in results.get("tests") or []:
        test["output"] = note


def run(job_path: str) -> int:
    """Grade the job's notebook; write result.json and release-body.md into its output folder.

    Returns 0 when grading ran (whatever the score), 1 when the grader itself could not run.
    """
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    notebook = Path(job["notebook"])
    results = grade(notebook, assignment=job["assignment"]).to_dict()
    if results["extra_data"].get("grader_error"):
        print(f"The grader could not run: {results['extra_data']['grader_error']}", file=sys.stderr)
        return 1
    if not notebook.exists():
        missing_notebook(results, job["label"])
    result, scale = to_result(results, job["identity"])
    out = Path(job["out"])
    (out / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                                     encoding="utf-8")
    body = markdown(results, title=job["assignment"], scale=scale)
    (out / "release-body.md").write_text(body, encoding="utf-8")
    print(f"{job['assignment']}: {results['score']:g} / {results['extra_data']['max_score']:g} points "
          f"(result.json: {result['score']} / {result['max-score']}, scale {scale}; "
          f"sandbox: {results['extra_data']['isolation']})")
    return 0
