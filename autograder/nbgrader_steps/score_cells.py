"""Score a submission's test cells with the autograder, in place of nbgrader's Execute.

`GradeWithAutograder` (see `Autograde.autograde_preprocessors` in nbgrader_config.py) runs no kernel: student
code never runs in nbgrader's process. The autograder grades the file the student submitted, once, in its
own sandboxed processes: the very input `python -m autograder grade` reads, so both give the same points.
Each test cell, named after the function it covers ("." written "-"), then gets two outputs, which
nbgrader's SaveAutoGrades turns into the cell's score and generate_feedback shows the student:
  - a stream on stdout: the function's points and checks, each failed check with its message;
  - an execute_result whose text is the function's points (nbgrader's partial credit, in points).
Nothing goes to stderr and no output is an error: nbgrader would score the cell 0 for either. Answer cells and
the rest stay without outputs. The test cells show what students received (no hidden block: it never runs
here, and feedback must not show it). Each notebook ends with a progress line on stdout.
"""

from __future__ import annotations

from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..classwide.tally import Entry, needs_a_look
from ..grading.results import by_function, points
from .run import Batch, batch_of


def report(function: str, tests: list[dict], cell_points: float) -> tuple[float, str]:
    """The cell's score (the function's points, on the cell's scale) and the text under it."""
    got, out_of = points(tests)
    # Points that differ between the gradebook and solutions/ are scaled to the cell (and the run lists them).
    score = got if out_of == cell_points else round(got / out_of * cell_points, 2) if out_of else 0.0
    lines = [f"{function}: {score:g} of {cell_points:g} points"]
    for test in tests:
        what = test["name"].split(": ", 1)[-1]
        lines.append(f"  {'passed' if test['status'] == 'passed' else 'FAILED'}  {what}")
        if test["status"] != "passed":
            lines += [f"          {line}" for line in test["output"].splitlines()]
    return score, "\n".join(lines) + "\n"


class GradeWithAutograder(NbGraderPreprocessor):
    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        ids = resources["nbgrader"]
        batch = batch_of(self)
        key = (ids["student"], ids["assignment"])
        submission = batch.submissions.get((*key, ids["notebook"]))
        path = submission.path if submission else Path(batch.coursedir.format_path(
            batch.coursedir.submitted_directory, *key)) / f"{ids['notebook']}.ipynb"
        results = batch.ahead.results(path, ids["assignment"])
        functions = by_function(results["tests"])
        released = {c.name: c.released for c in batch.expected.get((ids["assignment"], ids["notebook"]), [])}
        score = out_of = 0.0
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not (meta.get("grade") and not meta.get("solution") and cell.cell_type == "code"):
                continue
            function, cell_points = meta["grade_id"].replace("-", "."), float(meta["points"])
            tests = functions.pop(function, [])
            got, text = report(function, tests, cell_points)
            if not tests:
                text += "  The grader has no result for this function: " + (results["output"] or "none.") + "\n"
            elif points(tests)[1] != cell_points and not results["extra_data"]["grader_error"]:
                batch.look(key, f"{function} is worth {cell_points:g} points in the gradebook, not in solutions/: "
                           "run nbgrader generate_assignment", self.log)
            cell.source = released.get(meta["grade_id"], cell.source)
            cell.outputs = [new_output("stream", name="stdout", text=text),
                            new_output("execute_result", data={"text/plain": str(got)}, execution_count=1)]
            score, out_of = score + got, out_of + cell_points
        self.look_at(batch, ids, results, functions)
        batch.progress(f"[{getattr(submission, 'number', '?')}/{batch.total}] {key[0]} {key[1]} "
                       f"{round(score, 2):g}/{out_of:g}" + ("  needs a look" if key in batch.looks else ""))
        batch.graded(submission)
        return nb, resources

    def look_at(self, batch: Batch, ids: dict, results: dict, unscored: dict[str, list]) -> None:
        """What in these results an instructor should see (tally.needs_a_look: grader failures, unreadable
        notebooks, timeouts, crashes, tampering), and what only nbgrader's run knows."""
        key = (ids["student"], ids["assignment"])
        entry = Entry(*key, results)
        unreadable = batch.unreadable.get((*key, ids["notebook"]))
        extra = entry.extra
        graded = not (unreadable or extra.get("notebook_error") or extra.get("grader_error"))
        # "none" with no check passed may mean no student code ran at all (a notebook with nothing to grade).
        if graded and (extra.get("isolation") != "none" or any(t["status"] == "passed" for t in entry.tests)):
            batch.isolation[key] = extra.get("isolation", "none")
        reasons = [f"nbgrader cannot read the notebook ({unreadable})"] if unreadable else []
        # Who ran without a sandbox, the closing list says in one line; an unreadable notebook is said once.
        reasons += [why for why in needs_a_look(entry, unsandboxed=False)
                    if not (unreadable and why.startswith("the notebook could not be graded"))]
        if unscored:
            reasons.append(f"graded functions without a test cell: {', '.join(unscored)}")
        for why in reasons:
            batch.look(key, why, self.log)
