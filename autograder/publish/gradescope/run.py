"""What Gradescope's run_autograder runs for each submission: find the notebook, grade it, write results.json.

Gradescope unpacks the zip into /autograder/source (this grader, the hidden checks of one assignment, the
reference cut to its answer cells), puts the student's upload in /autograder/submission, and shows students
/autograder/grading/results/results.json. The notebook is found as students really upload it: `<a>.ipynb`, else the
one notebook there (Colab names a download "Copy of ...", browsers add " (1)"), else the one whose cells are
this assignment's; none, or several that could be it, is a score of 0 with a message that says what to upload.

The results are this grader's own (already Gradescope's format), with Gradescope's fields where they help:
the top-level `output` is the page a student reads after a push (Markdown: the table of functions, what to
fix), saying which sandbox the student's code ran in; each check keeps its mistake ids as `tags`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ...grading.grade import grade
from ...grading.notebook import NotebookError, holdings, likeness, load_assignment, read_cells
from ...grading.results import Results
from ..student_page import markdown

ROOT = Path("/autograder")
LAYERS = {"bubblewrap": "bubblewrap (it saw none of the autograder's files)",
          "landlock": "Landlock (it could read none of the autograder's files)",
          "none": "no sandbox: this machine allows neither bubblewrap nor Landlock"}


def find_notebook(submission: Path, assignment: str) -> tuple[Path | None, str]:
    """The notebook to grade in the upload, or None and what to tell the student."""
    found = sorted(p for p in submission.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file())
    named = [p for p in found if p.name == f"{assignment}.ipynb"]
    if len(named) == 1:
        return named[0], ""
    if len(found) == 1:
        return found[0], ""
    ours = [p for p in found if is_assignment(p, assignment)]
    if len(ours) == 1:
        return ours[0], ""
    what = f"Upload your notebook {assignment}.ipynb (in Jupyter: File > Download; in Colab: File > Download > " \
           "Download .ipynb)."
    if not found:
        return None, f"Your submission holds no notebook (.ipynb file). {what}"
    names = ", ".join(str(p.relative_to(submission)) for p in found[:10])
    return None, f"Your submission holds several notebooks ({names}) and none is plainly {assignment}. Upload " \
                 f"only {assignment}.ipynb."


def is_assignment(path: Path, assignment: str) -> bool:
    try:
        return any(likeness(holdings(read_cells(path)), load_assignment(source_notebook(assignment))))
    except NotebookError:
        return False


def source_notebook(assignment: str, root: Path = ROOT) -> Path:
    return root / "source" / "solutions" / assignment / f"{assignment}.ipynb"


def gradescope_results(results: Results, assignment: str, graded: str | None) -> dict:
    doc = results.to_dict()
    page = markdown(doc, title=assignment)
    if not results.error and not results.notebook_error:  # (no student code ran otherwise)
        page += f"\n\nYour code ran in {LAYERS.get(results.isolation, results.isolation)}."
    doc.update(output=page, output_format="md", test_output_format="text")
    doc["extra_data"]["notebook"] = graded
    return doc


def main(root: Path = ROOT) -> int:
    bundle = json.loads((root / "source" / "bundle.json").read_text(encoding="utf-8"))
    assignment = bundle["assignment"]
    notebook, problem = find_notebook(root / "submission", assignment)
    solutions = root / "source" / "solutions"
    if notebook is None:  # every check at 0, the reason as the notebook's error (as for an unreadable one)
        results = grade(root / "submission" / f"{assignment}.ipynb", solutions=solutions, assignment=assignment)
        results.notebook_error, results.output, graded = problem, f"Score: 0. {problem}", None
        for test in results.tests:
            test.output = problem
    else:
        results = grade(notebook, solutions=solutions, assignment=assignment)
        graded = str(notebook.relative_to(root / "submission"))
    doc = gradescope_results(results, assignment, graded)
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    print(f"{assignment}: {results.score:g} / {results.max_score:g} ({graded or problem}; "
          f"sandbox: {results.isolation})")
    if results.error:
        print(f"the grader could not run: {results.error}", file=sys.stderr)
    return 0
