"""The instructor's loop with stock nbgrader commands, in a scratch course (demo-results/course/, never the
repository's gradebook): release, collect, autograde, feedback, export, the grade table with its late
penalties, who needs a look, the LMS import."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

from ..classwide.lms import main as export_lms
from ..publish.hand_back import main as hand_back
from .scratch_course import ROOT, make_course, nbgrader, submit

A = "02_logistic_regression"
SUBMISSIONS = ROOT / "tests" / "submissions"
CLASS = {  # student: (what they handed in, notebook; None: made here)
    "ada": ("a correct solution", SUBMISSIONS / A / "correct_matmul_clip_history.ipynb"),
    "ben": ("a cost without its 1/m", SUBMISSIONS / A / "bug_cost_missing_1_over_m.ipynb"),
    "cy": ("the untouched release", ROOT / "exercises" / A / f"{A}.ipynb"),
    "dee": ("a buggy cost, and its test cell emptied and set to 30 points", None),
    "eve": ("a file that is not a notebook", SUBMISSIONS / "01_neuron" / "faulty_not_json.ipynb"),
}
# The course's late policy (docs/late-policy.md), and when each student handed in (UTC; the deadline is
# 2027-02-06 04:59 UTC): ben 1 d 3 h late (two days charged), ada a day late with an extension of two days.
POLICY = f"""
c.LatePolicy.deadlines = {{{A!r}: "2027-02-05 23:59"}}
c.LatePolicy.timezone = "America/New_York"
c.LatePolicy.penalty = "per_day"
c.LatePolicy.per_day = 0.10
c.LatePolicy.no_credit_after_days = 5
c.LatePolicy.extensions = "extensions.csv"
"""
HANDED_IN = {"ada": "2027-02-07 04:00:00", "ben": "2027-02-07 08:02:00", "cy": "2027-02-05 21:10:00",
             "dee": "2027-02-06 04:59:00", "eve": "2027-02-04 12:00:00"}


def tampered(out: Path) -> Path:
    """ben's notebook, with compute_cost's test cell emptied and worth 30 points: nbgrader's own checks
    would then pass it in full."""
    nb = json.loads(CLASS["ben"][1].read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") == "LogisticRegressionNN-compute_cost":
            cell["source"], meta["points"] = "# looks fine to me\n", 30
    out.write_text(json.dumps(nb), encoding="utf-8")
    return out


def step(folder: Path, *args: str) -> str:
    print(f"$ nbgrader {' '.join(args)}")
    run = nbgrader(folder, *args)
    if run.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run.stdout


def run_course_demo(folder: Path) -> int:
    shutil.rmtree(folder, ignore_errors=True)
    make_course(folder, [A])
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(POLICY)
    (folder / "extensions.csv").write_text(f"student_id,assignment,new_deadline,extra_days\nada,{A},,2\n")
    print(f"== The instructor's loop, stock nbgrader commands in a scratch course: {folder}/")
    step(folder, "generate_assignment", A)
    print(f"   released to {folder.name}/exercises/{A}/ (the repository's own release is exercises/)\n")
    print(f"Collected into submitted/<student>/{A}/:")
    for student, (what, notebook) in CLASS.items():
        target = submit(folder, student, A, notebook or tampered(folder / "dee.ipynb"))
        (target / "timestamp.txt").write_text(f"{HANDED_IN[student]}.000000 UTC\n")
        print(f"   {student:4} {what}, at {HANDED_IN[student]} UTC")
    print(f"   late policy: 10 % a day, nothing after 5 days; deadline {A} 2027-02-05 23:59 New York time;\n"
          "   extensions.csv gives ada 2 extra days (nbgrader_config.py, docs/late-policy.md)")
    print()
    print(step(folder, "autograde", A))
    step(folder, "generate_feedback", A)
    page = folder / "feedback" / "ben" / A / f"{A}.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
    shown = re.search(r"LogisticRegressionNN\.compute_cost: \S+ of 3 points\n(.+\n){4}", text)[0]
    print(f"   feedback/<student>/{A}/{A}.html; ben reads, under compute_cost's test cell:")
    print("     " + "\n     ".join(shown.splitlines()) + "\n")
    print(f"$ python -m autograder hand-back {A}    # collected, not submitted through nbgrader's exchange")
    hand_back(A, folder)
    print()
    step(folder, "export")
    print("   grades.csv (the late penalty charged by the course's policy, through nbgrader's plugin):")
    with open(folder / "grades.csv", newline="") as f:
        for row in csv.DictReader(f):
            penalty = float(row["late_submission_penalty"])
            late = f"  ({float(row['raw_score']):g} - {penalty:g} late)" if penalty else ""
            print(f"     {row['student_id']:4} {float(row['score']):5g} / {float(row['max_score']):g}{late}")
    show_lms_export(folder)
    print(f"\nThe same course in nbgrader's formgrader: cd {folder} && {ROOT / '.venv/bin/jupyter'} lab, then the\n"
          "Formgrader tab (Autograde, Manual Grading, Generate feedback: docs/instructor.md#in-the-formgrader)")
    return 0


def show_lms_export(folder: Path) -> None:
    """nbgrader's grades.csv as Canvas's Gradebook import, through a roster (docs/lms-export.md); eve has no
    Canvas account yet, so she is listed rather than dropped."""
    roster = folder / "roster.csv"
    roster.write_text("student_id,name,canvas_id,sis_user_id,sis_login_id,section\n" + "".join(
        f"{s},{s.title()} Example,{1000 + i},S{i:03d},{s}@example.edu,Lab 1\n"
        for i, s in enumerate(CLASS) if s != "eve"), encoding="utf-8")
    print("\n$ python -m autograder export-lms grades.csv --to canvas --roster roster.csv --out canvas.csv")
    export_lms(folder / "grades.csv", "canvas", roster, folder / "canvas.csv")
    print("   canvas.csv, for Canvas's Gradebook import:")
    for line in (folder / "canvas.csv").read_text(encoding="utf-8-sig").splitlines()[:4]:
        print(f"     {line}")
